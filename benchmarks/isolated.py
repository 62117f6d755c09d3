"""Starts one measurement in a fresh Python process and reads back its result."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.step import RESULT_PREFIX

REPO = Path(__file__).resolve().parent.parent


class StepFailed(RuntimeError):
    pass


def run_step(step: str, timeout: float, python: str = sys.executable,
             **args: Any) -> dict[str, Any]:
    """Runs `step` with `args` in a child process of `python`; returns what it measured."""
    request = json.dumps({"step": step, "args": args})
    try:
        done = subprocess.run([python, "-m", "benchmarks.step", request], cwd=REPO,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise StepFailed(f"{step} did not finish in {timeout:.0f} s") from None
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line.removeprefix(RESULT_PREFIX))
    detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
    raise StepFailed(f"{step} exited with {done.returncode}: {detail[0]}")
