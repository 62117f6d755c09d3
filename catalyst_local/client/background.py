"""A `catalyst-local serve` process started by another program: the demo, tests, benchmarks.

It binds 127.0.0.1 on a free port, keeps its output in a log file beside the data directory,
and is stopped (SIGINT, then SIGKILL after a grace period) when the `with` block ends, or with a
SIGTERM from the kernel if the program that started it dies first (Linux).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

START_TIMEOUT = 60.0
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in the child before exec: the kernel sends it SIGTERM when the thread that started
    it ends, so a crashed test run or benchmark leaves no server behind. Linux only."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def sandbox_org_id(url: str) -> str:
    """The zgid of the sandbox's com org, what `X-CRM-ORG` needs."""
    return _com_org(url)["zgid"]


def _com_org(url: str) -> dict:
    overview = httpx.get(f"{url}/zoho/_sandbox", timeout=10, trust_env=False).json()
    return next(org for org in overview["orgs"] if org["dc"] == "com")


class BackgroundServer:
    def __init__(self, project_dir: Path, data_dir: Path, *extra_args: str,
                 env: dict[str, str] | None = None):
        self.project_dir = Path(project_dir).resolve()
        self.data_dir = Path(data_dir).resolve()
        self.extra_args = extra_args
        self.env = {**os.environ, **(env or {})}
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-serve.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, wait_ready: bool = True) -> BackgroundServer:
        state = self.data_dir / "server.json"
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        state.unlink(missing_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "catalyst_local", "serve", "--project",
                 str(self.project_dir), "--port", "0", "--data-dir", str(self.data_dir),
                 *self.extra_args],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.env,
                cwd=self.project_dir, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + START_TIMEOUT
        while not state.exists():
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}:\n"
                                   f"{self.tail_logs()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"serve did not start in {START_TIMEOUT:.0f} s:\n"
                                   f"{self.tail_logs()}")
            time.sleep(0.05)
        self.url = json.loads(state.read_text())["url"]
        if wait_ready:
            self._wait_ready(deadline)
        return self

    def _wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            try:
                # Loopback only: no proxy from the environment may stand in between.
                response = httpx.get(f"{self.url}/_catalyst_local/health", timeout=2,
                                     trust_env=False)
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"serve never became healthy:\n{self.tail_logs()}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tail_logs(self, lines: int = 30) -> str:
        return "\n".join(self.logs().splitlines()[-lines:])

    def health(self) -> dict:
        return httpx.get(f"{self.url}/_catalyst_local/health", timeout=5, trust_env=False).json()

    def sandbox_org_id(self) -> str:
        return sandbox_org_id(self.url)

    def sandbox_count(self, module: str) -> int:
        return int(_com_org(self.url)["modules"].get(module, 0))

    def kill(self) -> None:
        """SIGKILL, as a crash would: no shutdown code runs. The workers notice and exit."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
