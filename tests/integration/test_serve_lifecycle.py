"""How `catalyst-local serve` starts and stops: one server per data directory, clean exits."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.conftest import cli
from tests.projects import write_function, write_project
from tests.serving import ServeProcess


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = write_project(tmp_path / "project", ["api"], segments=["Orders"])
    write_function(root, "api", "advancedio", "def handler(request):\n    return 'ok'\n")
    return root


def test_a_second_server_on_the_same_data_directory_is_refused(project: Path, tmp_path: Path):
    data_dir = tmp_path / "data"
    with ServeProcess(project, data_dir) as first:
        result = cli("serve", "--project", str(project), "--port", "0", "--data-dir",
                     str(data_dir))
        assert result.returncode == 1
        assert result.stderr.strip().endswith(
            f"Error: {data_dir} is in use by another catalyst-local serve (pid {first.pid}); "
            "stop it, or pass another --data-dir")


def test_an_ephemeral_server_removes_its_data_on_sigterm(project: Path):
    process = subprocess.Popen(
        [sys.executable, "-m", "catalyst_local", "serve", "--project", str(project), "--port",
         "0", "--ephemeral"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        data_dir = None
        deadline = time.monotonic() + 60
        while data_dir is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if match := re.match(r"\s+data directory: (.+)$", line):
                data_dir = Path(match.group(1))
        assert data_dir is not None and data_dir.exists()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
        process.wait()
    assert not data_dir.exists()


def test_verbs_say_so_when_the_server_died_without_shutting_down(project: Path, tmp_path: Path):
    data_dir = tmp_path / "data"
    server = ServeProcess(project, data_dir).start()
    server.kill()
    result = cli("status", "--data-dir", str(data_dir))
    assert result.returncode == 1
    assert f"(pid {server.pid}) is gone without shutting down" in result.stderr


def test_an_ephemeral_server_that_cannot_start_leaves_no_data(project: Path, tmp_path: Path):
    temp_root = tmp_path / "temp"
    temp_root.mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        result = subprocess.run(
            [sys.executable, "-m", "catalyst_local", "serve", "--project", str(project),
             "--port", str(taken.getsockname()[1]), "--ephemeral"],
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "TMPDIR": str(temp_root)})
    assert result.returncode != 0
    assert "in use" in result.stderr
    assert list(temp_root.iterdir()) == []
