"""Starts a real `catalyst-local serve` process for a test and stops it afterwards."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

START_TIMEOUT = 60.0


class ServeProcess:
    """One `catalyst-local serve` on 127.0.0.1 with a free port, its logs kept in a file."""

    def __init__(self, project_dir: Path, data_dir: Path, *extra_args: str,
                 env: dict[str, str] | None = None):
        self.project_dir, self.data_dir = project_dir, data_dir
        self.extra_args = extra_args
        self.env = {**os.environ, **(env or {})}
        self.log_path = data_dir.parent / f"{data_dir.name}-serve.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, wait_ready: bool = True) -> ServeProcess:
        state = self.data_dir / "server.json"
        state.unlink(missing_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "catalyst_local", "serve", "--project", str(self.project_dir),
             "--port", "0", "--data-dir", str(self.data_dir), *self.extra_args],
            stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=self.project_dir)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while not state.exists():
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}:\n{self.logs()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"serve did not start in {START_TIMEOUT} s:\n{self.logs()}")
            time.sleep(0.05)
        self.url = json.loads(state.read_text())["url"]
        if wait_ready:
            self.wait_ready(deadline)
        return self

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/_catalyst_local/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"serve never became healthy:\n{self.logs()}")

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL, as a crash would: no shutdown code runs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        # Its workers lose their parent; they notice and exit on their own.

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> ServeProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc (VmRSS, KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def hwm_kib(pid: int) -> int:
    """Peak resident memory of a process so far (VmHWM, KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for pid {pid}")
