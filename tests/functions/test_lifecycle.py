"""Workers over time: reload on a file change, restart after a crash, timeouts."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import httpx
import pytest
from function_harness import FunctionSpec, make_runtime, served, wait_for, write_project

VERSION = """
def handler(request):
    return "version {n}"
"""
CRASHES = """
import os
import time


def handler(request):
    if request.path == "/crash":
        time.sleep(0.2)
        os._exit(3)
    return "alive"
"""
SLOW = """
import time


def handler(request):
    time.sleep(float(request.args.get("seconds", "0")))
    return "done"
"""
SLOW_EVENT = """
import time


def handler(event, context):
    time.sleep(event.get_data()["seconds"])
"""


def get(server, name: str, path: str = "/") -> httpx.Response:
    return httpx.get(f"{server.url}/server/{name}{path}", timeout=30)


def test_a_file_change_reloads_and_a_syntax_error_does_not_stop_the_server(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="catalyst_local.functions")
    write_project(tmp_path, {"app": FunctionSpec("advancedio", VERSION.format(n=1)),
                             "other": FunctionSpec("advancedio", VERSION.format(n=0))})
    main = tmp_path / "functions" / "app" / "main.py"
    with served(make_runtime(tmp_path), watch=True) as server:
        other_pid = server.runtime.functions.status()["other"]["pid"]
        assert get(server, "app").text == "version 1"

        main.write_text(VERSION.format(n=2))
        wait_for(lambda: get(server, "app").text == "version 2", what="the new code")
        assert "Reloading function app" in caplog.messages

        main.write_text("def handler(request)\n    return 'broken'\n")
        broken = wait_for(lambda: (r := get(server, "app")).status_code == 500 and r,
                          what="the load error")
        assert broken.json()["error"] == "import_error"
        assert get(server, "other").text == "version 0"

        main.write_text(VERSION.format(n=3))
        wait_for(lambda: get(server, "app").text == "version 3", what="the fixed code")
        assert server.runtime.functions.status()["other"]["pid"] == other_pid


def test_a_crash_mid_call_is_a_502_and_the_worker_comes_back(tmp_path, caplog):
    write_project(tmp_path, {"app": FunctionSpec("advancedio", CRASHES)})
    with served(make_runtime(tmp_path)) as server:
        first_pid = server.runtime.functions.status()["app"]["pid"]
        response = get(server, "app", "/crash")
        assert response.status_code == 502
        assert response.json() == {"data": "Function app ended without answering"}
        # The host may notice the exit a moment after the gateway answered.
        wait_for(lambda: "Function app exited with code 3; restarting in 0.5 s"
                 in caplog.messages, what="the exit to be logged")

        wait_for(lambda: server.runtime.functions.status()["app"]["state"] == "ready",
                 what="the restart")
        assert get(server, "app").text == "alive"
        status = server.runtime.functions.status()["app"]
        assert status["pid"] != first_pid
        assert status["restarts"] == 1


def test_a_worker_that_keeps_crashing_answers_503(tmp_path):
    write_project(tmp_path, {"app": FunctionSpec("advancedio", "import os\nos._exit(4)\n")})
    with served(make_runtime(tmp_path)) as server:
        assert not server.runtime.functions.is_ready()
        response = get(server, "app")
        assert response.status_code == 503
        assert response.json() == {"data": "Error connecting with the function"}
        assert server.runtime.functions.status()["app"]["last_error"] == (
            "the worker exited with code 4")


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    root = tmp_path_factory.mktemp("timeouts")
    write_project(root, {"slow": FunctionSpec("advancedio", SLOW),
                         "slow_event": FunctionSpec("event", SLOW_EVENT)},
                  settings={"advancedio_timeout_ms": 400, "event_timeout_ms": 400})
    with served(make_runtime(root)) as server:
        yield server


def test_an_advancedio_call_over_its_timeout_is_a_504(quick):
    response = get(quick, "slow", "/?seconds=3")
    assert response.status_code == 504
    assert response.json() == {"data": "Function slow timed out after 400 ms"}
    assert response.headers["x-catalyst-local-request-id"]
    assert get(quick, "slow", "/?seconds=0").text == "done"


def test_the_configured_timeout_is_the_workers_max_timeout(quick):
    worker_env = open(f"/proc/{quick.runtime.functions.status()['slow']['pid']}/environ",
                      "rb").read().split(b"\0")
    assert b"CATALYST_MAX_TIMEOUT=400" in worker_env


def test_an_event_over_its_timeout_kills_and_restarts_the_worker(quick):
    host = quick.runtime.functions
    pid = host.status()["slow_event"]["pid"]
    delivery = quick.call(lambda: host.invoke_event("slow_event", b'{"data": {"seconds": 30}}',
                                                    "r-slow"))
    assert (delivery.status, delivery.error) == (None, "timed out after 400 ms")
    wait_for(lambda: host.status()["slow_event"]["state"] == "ready"
             and host.status()["slow_event"]["pid"] != pid, what="the restarted worker")
    assert not _alive(pid)
    quick_one = quick.call(lambda: host.invoke_event("slow_event", b'{"data": {"seconds": 0}}',
                                                     "r-quick"))
    assert quick_one.status == 200
    assert [call["target"] for call in host.invocations("slow_event")] == ["r-slow", "r-quick"]


def test_stop_ends_every_worker(tmp_path):
    write_project(tmp_path, {"app": FunctionSpec("advancedio", VERSION.format(n=1))})
    with served(make_runtime(tmp_path)) as server:
        pid = server.runtime.functions.status()["app"]["pid"]
        assert _alive(pid)
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


LEAVES_FILES = """
import os
import tempfile


def handler(request):
    if request.path == "/leave":
        folder = tempfile.mkdtemp(prefix="run_")
        with open(os.path.join(folder, "upload"), "wb") as half_read:
            half_read.write(b"x" * 1000)
        return {"folder": folder}
    os._exit(5)  # killed mid-run, as a worker stopped by Ctrl-C or SIGKILL is
"""


def test_a_workers_temp_folder_is_emptied_on_restart_and_removed_at_stop(tmp_path):
    write_project(tmp_path / "project", {"app": FunctionSpec("advancedio", LEAVES_FILES)})
    runtime = make_runtime(tmp_path / "project")
    temp_dir = runtime.data_dir / "tmp" / "app"
    with served(runtime) as server:
        left = Path(get(server, "app", "/leave").json()["folder"])
        assert left.parent == temp_dir
        assert (left / "upload").exists()

        pid = server.runtime.functions.status()["app"]["pid"]
        assert get(server, "app", "/die").status_code == 502
        wait_for(lambda: server.runtime.functions.status()["app"]["state"] == "ready"
                 and server.runtime.functions.status()["app"]["pid"] != pid,
                 what="the restarted worker")
        assert temp_dir.is_dir()
        assert list(temp_dir.iterdir()) == []
    assert not temp_dir.exists()
