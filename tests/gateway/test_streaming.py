"""A 100 MB body each way through the gateway, without the server holding it in memory."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from function_harness import FunctionSpec, write_project

MB = 1024 * 1024
TOTAL_MB = 100
MAX_GROWTH_KIB = 50 * 1024

SINK = """
import hashlib


def handler(request):
    digest, size = hashlib.sha256(), 0
    while chunk := request.stream.read(1024 * 1024):
        digest.update(chunk)
        size += len(chunk)
    return {"size": size, "sha256": digest.hexdigest()}
"""
SOURCE = """
import flask


def handler(request):
    megabytes = int(request.args["mb"])

    def chunks():
        for index in range(megabytes):
            yield bytes([index % 251]) * (1024 * 1024)

    return flask.Response(chunks(), mimetype="application/octet-stream")
"""


def _chunks(count: int):
    for index in range(count):
        yield bytes([index % 251]) * MB


def _expected_sha256(count: int) -> str:
    digest = hashlib.sha256()
    for chunk in _chunks(count):
        digest.update(chunk)
    return digest.hexdigest()


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"/proc/{pid}/status has no {field}")


@pytest.fixture
def server(tmp_path):
    write_project(tmp_path, {"sink": FunctionSpec("advancedio", SINK),
                             "source": FunctionSpec("advancedio", SOURCE)})
    process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("memory_server.py")),
                                str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        url = process.stdout.readline().decode().strip()
        assert url.startswith("http://127.0.0.1:"), "the server did not start"
        yield url, process.pid
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        process.stdout.close()


def test_100_mb_each_way_keeps_the_servers_memory_flat(server):
    url, pid = server
    with httpx.Client(timeout=120) as client:
        # Warm-up: every code path loaded before the baseline is read.
        assert client.post(f"{url}/server/sink/", content=_chunks(2)).json()["size"] == 2 * MB
        assert len(client.get(f"{url}/server/source/?mb=2").content) == 2 * MB
        baseline = _status_kib(pid, "VmRSS")
        # Writing 5 resets the peak (VmHWM) to the current RSS, so the peak below is this test's.
        Path(f"/proc/{pid}/clear_refs").write_text("5")

        uploaded = client.post(f"{url}/server/sink/", content=_chunks(TOTAL_MB)).json()
        digest, size = hashlib.sha256(), 0
        with client.stream("GET", f"{url}/server/source/?mb={TOTAL_MB}") as response:
            assert response.status_code == 200
            for chunk in response.iter_raw():
                digest.update(chunk)
                size += len(chunk)
        peak = _status_kib(pid, "VmHWM")

    expected = _expected_sha256(TOTAL_MB)
    assert uploaded == {"size": TOTAL_MB * MB, "sha256": expected}
    assert (size, digest.hexdigest()) == (TOTAL_MB * MB, expected)
    assert peak - baseline < MAX_GROWTH_KIB, f"the server grew by {(peak - baseline) // 1024} MB"
