"""The official SDK against a real `catalyst-local serve`: from a script configured by
`catalyst-local env`, and from inside a hosted function."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from catalyst_local.cache import errors as cache_errors
from catalyst_local.filestore import errors as file_errors
from tests.integration.conftest import sdk_env
from tests.projects import write_function, write_project
from tests.serving import ServeProcess

HERE = Path(__file__).parent
PROBE = """
    import json
    import zcatalyst_sdk
    from sdk_exercise import exercise

    def handler(request):
        app = zcatalyst_sdk.initialize()
        return json.dumps(exercise(app, "Orders", "Docs")), 200
"""
RECORDER = """
    import json
    import os

    def handler(event, context):
        with open(os.environ["EVENTS_FILE"], "a", encoding="utf-8") as out:
            out.write(json.dumps({"raw": event.get_raw_data(), "data": event.get_data(),
                                  "action": event.get_action(), "source": event.get_source(),
                                  "entity": event.get_source_entity_id(),
                                  "time": event.get_time()}) + "\\n")
        context.close_with_success()
"""
SCRIPT = textwrap.dedent("""
    import json, sys
    import zcatalyst_sdk
    sys.path.insert(0, sys.argv[1])
    from sdk_exercise import exercise
    print(json.dumps(exercise(zcatalyst_sdk.initialize_app(), "Orders", "Docs")))
""")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = write_project(tmp_path / "project", ["sdk_probe", "on_put"], folders=["Docs"],
                         segments=["Orders"],
                         rules=[{"name": "OrdersPut", "source": "Cache", "entities": ["Orders"],
                                 "actions": ["Put"], "targets": ["on_put"]}])
    probe = write_function(root, "sdk_probe", "advancedio", PROBE)
    shutil.copy(HERE / "sdk_exercise.py", probe)
    write_function(root, "on_put", "event", RECORDER,
                   env={"EVENTS_FILE": str(tmp_path / "events.jsonl")})
    return root


def run_outside(project: Path, data_dir: Path) -> dict:
    env = {**os.environ, **sdk_env(project, data_dir)}
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(HERE)], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def check_exercise(results: dict, project_id: str) -> None:
    assert results["segments"] == ["Default", "Orders"]
    assert results["segment_details"]["segment_name"] == "Orders"
    assert results["segment_details"]["project_details"]["id"] == project_id

    put = results["put"]
    assert put["cache_name"] == "k" * 50 and put["expiry_in_hours"] == "1"
    assert int(put["ttl_in_milliseconds"]) <= 3_600_000
    assert put["segment_details"]["segment_name"] == "Orders"
    assert results["get_value_len"] == 16000
    assert results["update"]["cache_value"] == "updated"
    assert results["update"]["expiry_in_hours"] == "48"  # update without expiry resets it
    assert results["get"]["cache_value"] == "updated"
    assert results["delete"] is True
    assert results["get_after_delete"]["cache_value"] is None
    assert results["default_put"]["segment_details"]["segment_name"] == "Default"
    assert results["expiry_48"] == "48"

    def error(entry, **values):
        made = entry(**values)
        return {"type": "CatalystAPIError", "code": made.code, "message": made.message,
                "status": made.status}

    assert results["key_51"] == error(cache_errors.KEY_TOO_LONG, field="cache_name", limit=50,
                                      length=51)
    assert results["value_16001"] == error(cache_errors.VALUE_TOO_LONG, limit=16000,
                                           length=16001)
    assert results["expiry_49"] == error(cache_errors.EXPIRY_INVALID, limit=48)
    assert results["expiry_0"] == error(cache_errors.EXPIRY_INVALID, limit=48)
    assert results["unknown_segment"] == error(cache_errors.SEGMENT_NOT_FOUND,
                                               segment_id="123456789")

    assert results["folders"] == ["Docs"]
    assert results["created_folder"]["folder_name"] == "Scratch"
    assert results["duplicate_folder"] == error(file_errors.FOLDER_NAME_TAKEN, name="Scratch")
    assert results["renamed_folder"]["folder_name"] == "Scratch2"
    assert results["folder_delete"] is True

    uploaded = results["uploaded"]
    assert uploaded["file_name"] == "../../escape.bin"  # a name, never a path
    assert uploaded["file_size"] == "300000"
    assert results["folder_details_files"] == [uploaded["id"]]
    assert results["file_details"]["id"] == uploaded["id"]
    assert results["download_matches"] and results["stream_matches"]
    assert results["delete_file"] is True
    assert results["deleted_file_details"] == error(file_errors.FILE_NOT_FOUND,
                                                    file_id=uploaded["id"])
    assert results["unknown_folder"] == error(file_errors.FOLDER_NOT_FOUND, folder_id="999999999")


def test_every_sdk_call_from_a_script_and_from_a_function(project: Path, tmp_path: Path):
    data_dir = tmp_path / "data"
    with ServeProcess(project, data_dir) as server:
        project_id = json.loads((data_dir / "credentials.json").read_text())["project_id"]
        check_exercise(run_outside(project, data_dir), project_id)

        response = httpx.get(f"{server.url}/server/sdk_probe/", timeout=60)
        assert response.status_code == 200, response.text
        check_exercise(response.json(), project_id)
        assert not list((data_dir / "filestore").rglob("escape.bin"))


def wait_for_lines(path: Path, count: int, timeout: float = 30) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            lines = [json.loads(line) for line in path.read_text().splitlines()]
            if len(lines) >= count:
                return lines
        time.sleep(0.1)
    raise AssertionError(f"{count} event(s) never arrived in {path}")


SINGLE_PUT = textwrap.dedent("""
    import json, zcatalyst_sdk
    app = zcatalyst_sdk.initialize_app()
    segment = next(s for s in app.cache().get_all_segment()
                   if s.to_dict()["segment_name"] == "Orders")
    print(json.dumps(segment.put("order-1", "shipped")))
""")


def put_once(project: Path, data_dir: Path) -> dict:
    env = {**os.environ, **sdk_env(project, data_dir)}
    result = subprocess.run([sys.executable, "-c", SINGLE_PUT], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_cache_put_reaches_the_rule_target_with_the_platform_body(project: Path,
                                                                     tmp_path: Path):
    data_dir = tmp_path / "data"
    with ServeProcess(project, data_dir):
        item = put_once(project, data_dir)
        [received] = wait_for_lines(tmp_path / "events.jsonl", 1)
    credentials = json.loads((data_dir / "credentials.json").read_text())
    raw = received["raw"]
    assert set(raw) == {"project_details", "current_project", "event_bus_details", "action",
                        "source", "source_entity_id", "event_time", "data"}
    assert raw["action"] == received["action"] == "Put"
    assert raw["source"] == received["source"] == "Cache"
    assert raw["source_entity_id"] == received["entity"] == item["segment_details"]["id"]
    assert raw["project_details"] == {"id": credentials["project_id"], "project_name": "demo"}
    assert raw["event_bus_details"]["name"] == "Default"
    assert isinstance(raw["event_time"], int) and received["time"] == raw["event_time"]
    assert received["data"] == raw["data"]
    assert raw["data"]["cache_name"] == "order-1" and raw["data"]["cache_value"] == "shipped"
    assert raw["data"]["segment_details"] == item["segment_details"]
    assert raw["data"]["expiry_in_hours"] == "48"


def test_an_event_survives_sigkill_before_delivery_and_arrives_once(project: Path,
                                                                    tmp_path: Path):
    data_dir = tmp_path / "data"
    events_file = tmp_path / "events.jsonl"
    server = ServeProcess(project, data_dir).start()
    try:
        assert httpx.post(f"{server.url}/_catalyst_local/events/pause").status_code == 200
        put_once(project, data_dir)
        pending = httpx.get(f"{server.url}/_catalyst_local/events").json()["events"]
        assert [event["state"] for event in pending] == ["pending"]
        server.kill()
    finally:
        server.stop()
    assert not events_file.exists()

    with ServeProcess(project, data_dir) as restarted:
        [received] = wait_for_lines(events_file, 1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            states = [e["state"] for e in
                      httpx.get(f"{restarted.url}/_catalyst_local/events").json()["events"]]
            if states == ["delivered"]:
                break
            time.sleep(0.1)
        assert states == ["delivered"]
    assert received["data"]["cache_name"] == "order-1"
    assert len(events_file.read_text().splitlines()) == 1
