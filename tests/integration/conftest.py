"""Fixtures that run the real `catalyst-local` CLI and `serve` process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Runs the real `catalyst-local` command in a subprocess."""
    return subprocess.run([sys.executable, "-m", "catalyst_local", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def sdk_env(project: Path, data_dir: Path) -> dict[str, str]:
    """What `catalyst-local env` tells a script to set, read from the real command."""
    result = cli("env", "--project", str(project), "--data-dir", str(data_dir), "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def run_cli():
    return cli
