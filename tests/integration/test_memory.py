"""100 MB through a real server without holding it in memory: an SDK upload into the File Store
and a download through the gateway. Measured as the server process's resident memory."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import sdk_env
from tests.projects import write_function, write_project
from tests.serving import ServeProcess, rss_kib

MB = 1024 * 1024
LIMIT_KIB = 50 * 1024

STREAMER = """
    from flask import Response

    def handler(request):
        size = int(request.args["bytes"])
        block = b"x" * (1024 * 1024)

        def chunks():
            for _ in range(size // len(block)):
                yield block

        return Response(chunks(), mimetype="application/octet-stream")
"""
UPLOAD = textwrap.dedent("""
    import sys, zcatalyst_sdk
    app = zcatalyst_sdk.initialize_app()
    folder = app.filestore().get_all_folders()[0]
    with open(sys.argv[1], "rb") as handle:
        uploaded = folder.upload_file("big.bin", handle)
    print(uploaded["file_size"])
""")


class PeakRss:
    """Samples a process's VmRSS every 20 ms; `growth` is the peak over the first sample."""

    def __init__(self, pid: int):
        self.pid, self.baseline, self.peak = pid, rss_kib(pid), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.02)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.baseline


@pytest.fixture
def server(tmp_path: Path):
    root = write_project(tmp_path / "project", ["streamer"], folders=["Big"])
    write_function(root, "streamer", "advancedio", STREAMER)
    with ServeProcess(root, tmp_path / "data") as running:
        yield running


@pytest.mark.slow
def test_a_100_mb_sdk_upload_keeps_server_memory_flat(server: ServeProcess, tmp_path: Path):
    big = tmp_path / "big.bin"
    with big.open("wb") as out:
        for _ in range(100):
            out.write(os.urandom(MB))
    env = {**os.environ, **sdk_env(server.project_dir, server.data_dir)}
    with PeakRss(server.pid) as memory:
        result = subprocess.run([sys.executable, "-c", UPLOAD, str(big)], capture_output=True,
                                text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(100 * MB)
    assert memory.growth < LIMIT_KIB, f"server grew by {memory.growth} KiB"


@pytest.mark.slow
def test_a_100_mb_download_through_the_gateway_keeps_server_memory_flat(server: ServeProcess):
    received = 0
    with PeakRss(server.pid) as memory:
        with httpx.stream("GET", f"{server.url}/server/streamer/?bytes={100 * MB}",
                          timeout=120) as response:
            assert response.status_code == 200
            for chunk in response.iter_bytes():
                received += len(chunk)
    assert received == 100 * MB
    assert memory.growth < LIMIT_KIB, f"server grew by {memory.growth} KiB"
