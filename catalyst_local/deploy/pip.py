"""The pip commands behind doctor's wheel check and `package`'s dependency install.

Both run this interpreter's pip in a subprocess, so they use whatever package index the machine
is configured for, or only local wheel folders with `--no-index --find-links`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# What `catalyst deploy` installs: binary wheels for the platform Catalyst runs on.
PLATFORM = "manylinux2014_x86_64"
_USERINFO = re.compile(r"//[^/@\s]+@")


@dataclass(frozen=True)
class PipSource:
    """Where pip looks for distributions."""

    find_links: tuple[Path, ...] = ()
    no_index: bool = False

    def args(self) -> list[str]:
        args = ["--no-index"] if self.no_index else []
        for folder in self.find_links:
            args += ["--find-links", str(folder)]
        return args


@dataclass(frozen=True)
class PipResult:
    ok: bool
    message: str  # pip's first error line, with any credentials in URLs masked
    timed_out: bool = False


def download_wheels(requirements: list[str], python_version: str, destination: Path,
                    pip_source: PipSource, timeout: float) -> PipResult:
    """Fetches manylinux wheels, dependencies excluded, as the Catalyst stack would need them.

    `requirements` are pip arguments: a requirement string, or `-r` and a file.
    """
    command = ["download", "--only-binary=:all:", *platform_args(python_version), "--no-deps",
               "-d", str(destination), *pip_source.args(), *requirements]
    return run_pip(command, timeout)


def platform_args(python_version: str) -> list[str]:
    return ["--platform", PLATFORM, "--python-version", python_version, "--implementation", "cp"]


def run_pip(arguments: list[str], timeout: float | None) -> PipResult:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    try:
        completed = subprocess.run([sys.executable, "-m", "pip", *arguments], env=env,
                                   capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return PipResult(False, f"pip did not finish within {timeout:g} s", timed_out=True)
    if completed.returncode == 0:
        return PipResult(True, "")
    return PipResult(False, first_error(completed.stderr) or f"pip exited {completed.returncode}")


def first_error(output: str) -> str:
    for line in output.splitlines():
        if line.startswith("ERROR:"):
            return _USERINFO.sub("//***@", line.removeprefix("ERROR:").strip())
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return _USERINFO.sub("//***@", lines[-1]) if lines else ""
