"""A real `catalyst-local serve` for the benchmarks, on a copy of a project, with its memory
watched from /proc.

The project is copied to a temp folder first, so the serve-time preserve script never writes
into the checkout, and the data directory is a temp folder deleted on stop.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 90.0
SAMPLE_SECONDS = 0.05


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it if the benchmark process dies (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def copy_import_project(dest: Path, *, rule_enabled: bool = True) -> Path:
    """Copies this repository's Catalyst project (catalyst.json and functions/) to `dest`.

    With `rule_enabled` off, a Put into segment CrmFiles fires nothing, so an upload can be
    measured without the import it would start.
    """
    dest.mkdir(parents=True, exist_ok=True)

    def skipped(folder: str, names: list[str]) -> list[str]:
        # Function folders get their crm_import copy from the preserve script.
        vendored = Path(folder).name != "_common"
        return [n for n in names if n == "__pycache__" or (vendored and n == "crm_import")]

    shutil.copytree(REPO / "functions", dest / "functions", ignore=skipped)
    config = json.loads((REPO / "catalyst.json").read_text())
    for rule in config["catalyst_local"]["components"].get("EventListener", []):
        rule["enabled"] = rule_enabled
    (dest / "catalyst.json").write_text(json.dumps(config, indent=2))
    return dest


class Server:
    """One `catalyst-local serve --port 0` on 127.0.0.1; a context manager that always stops it."""

    def __init__(self, project_dir: Path):
        self.project_dir = project_dir
        self.data_dir = Path(tempfile.mkdtemp(prefix="bench_data_"))
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-serve.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def __enter__(self) -> Server:
        state = self.data_dir / "server.json"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "catalyst_local", "serve", "--project",
                 str(self.project_dir), "--port", "0", "--data-dir", str(self.data_dir)],
                stdout=log, stderr=subprocess.STDOUT, cwd=self.project_dir,
                preexec_fn=_die_with_parent)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not state.exists():
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"serve did not start:\n{self.log_tail()}")
                time.sleep(0.05)
            self.url = json.loads(state.read_text())["url"]
            while self._health_status() != 200:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"serve never became healthy:\n{self.log_tail()}")
                time.sleep(0.1)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def _health_status(self) -> int:
        try:
            return httpx.get(f"{self.url}/_catalyst_local/health", timeout=2,
                             trust_env=False).status_code
        except httpx.HTTPError:
            return 0

    def health(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/_catalyst_local/health", timeout=5, trust_env=False).json()

    def sandbox_org_id(self) -> str:
        """The org id functions are wired to (the first sandbox org), as the banner shows it."""
        overview = httpx.get(f"{self.url}/zoho/_sandbox", timeout=5, trust_env=False).json()
        return overview["orgs"][0]["zgid"]

    def local_value(self, variable: str) -> str:
        """`catalyst-local env --get FUNCTION.VARIABLE` for this server's project and data."""
        done = subprocess.run(
            [sys.executable, "-m", "catalyst_local", "env", "--project", str(self.project_dir),
             "--data-dir", str(self.data_dir), "--get", variable],
            capture_output=True, text=True, timeout=60, check=True)
        return done.stdout.strip()

    def sdk_environment(self) -> dict[str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "catalyst_local", "env", "--project", str(self.project_dir),
             "--data-dir", str(self.data_dir), "--format", "json"],
            capture_output=True, text=True, timeout=60, check=True)
        return json.loads(done.stdout)

    def worker_pids(self) -> dict[str, int]:
        """Function name -> worker pid, for workers that are children of the server."""
        children = child_pids(self.pid)
        named = {name: status.get("pid") for name, status in self.health()["functions"].items()}
        return {name: pid for name, pid in named.items() if pid in children}

    def log_tail(self, lines: int = 20) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.log_path.unlink(missing_ok=True)


def child_pids(pid: int) -> set[int]:
    found: set[int] = set()
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        found.update(int(p) for p in children.read_text().split())
    return found


def rss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class RssSampler:
    """Samples VmRSS of some processes every 50 ms in a thread; `growth()` is max - baseline."""

    def __init__(self, pids: dict[str, int]):
        self.pids = pids
        self.baseline = {name: rss_kib(pid) for name, pid in pids.items()}
        self.peak = dict(self.baseline)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sample_once()

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._sample_once()

    def _sample_once(self) -> None:
        for name, pid in self.pids.items():
            self.peak[name] = max(self.peak[name], rss_kib(pid))

    def growth_kib(self) -> dict[str, int]:
        return {name: self.peak[name] - self.baseline[name] for name in self.pids}


def without_proxies() -> dict[str, str]:
    """The environment minus proxy variables, for children that must only talk to 127.0.0.1."""
    return {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
