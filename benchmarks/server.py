"""A real `catalyst-local serve` for the benchmarks, on a copy of a project, with its memory
watched from /proc.

The project is copied to a temp folder first, so the serve-time preserve script never writes
into the checkout, and the data directory is a temp folder deleted on stop.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import httpx

from catalyst_local.client.background import BackgroundServer

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 0.05


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


class Server(BackgroundServer):
    """One `catalyst-local serve --port 0` on 127.0.0.1 with a temp data directory, deleted on
    stop; a context manager that always stops it."""

    def __init__(self, project_dir: Path):
        super().__init__(project_dir, Path(tempfile.mkdtemp(prefix="bench_data_")) / "data",
                         env=without_proxies())
        self._sdk_environment: dict[str, str] | None = None

    def __enter__(self) -> Server:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def local_value(self, variable: str) -> str:
        """`catalyst-local env --get FUNCTION.VARIABLE` for this server's project and data."""
        done = subprocess.run(
            [sys.executable, "-m", "catalyst_local", "env", "--project", str(self.project_dir),
             "--data-dir", str(self.data_dir), "--get", variable],
            capture_output=True, text=True, timeout=60, check=True)
        return done.stdout.strip()

    def sdk_environment(self) -> dict[str, str]:
        """`catalyst-local env --format json`, asked once: a data directory keeps its
        credentials, so every upload run's cleanup reuses the answer."""
        if self._sdk_environment is None:
            done = subprocess.run(
                [sys.executable, "-m", "catalyst_local", "env", "--project",
                 str(self.project_dir), "--data-dir", str(self.data_dir), "--format", "json"],
                capture_output=True, text=True, timeout=60, check=True)
            self._sdk_environment = json.loads(done.stdout)
        return dict(self._sdk_environment)

    def delete_file(self, folder_name: str, file_id: str) -> None:
        """Deletes a File Store file through the REST API the SDK calls, as the project admin."""
        environment = self.sdk_environment()
        token = json.loads(environment["CATALYST_AUTH"])["access_token"]
        project_id = json.loads(environment["CATALYST_OPTIONS"])["project_id"]
        base = f"{self.url}/baas/v1/project/{project_id}"
        headers = {"Authorization": f"Zoho-oauthtoken {token}"}
        with httpx.Client(timeout=30, trust_env=False, headers=headers) as client:
            folders = client.get(f"{base}/folder").raise_for_status().json()["data"]
            folder_id = next(f["id"] for f in folders if f["folder_name"] == folder_name)
            client.delete(f"{base}/folder/{folder_id}/file/{file_id}").raise_for_status()

    def worker_pids(self) -> dict[str, int]:
        """Function name -> worker pid, for workers that are children of the server."""
        children = child_pids(self.pid)
        named = {name: status.get("pid") for name, status in self.health()["functions"].items()}
        return {name: pid for name, pid in named.items() if pid in children}

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


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
