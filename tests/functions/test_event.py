"""Event functions as the Catalyst runtime runs them: `handler(event, context)` and its statuses."""

from __future__ import annotations

import json
import uuid

import pytest
from function_harness import FunctionSpec, make_runtime, served, write_project

EVENT = """
import json
import os
import threading


def handler(event, context):
    body = event.get_raw_data()
    mode = body.get("mode") if isinstance(body, dict) else None
    record = {
        "data": event.get_data(), "data_attribute": event.data,
        "time": event.get_time(), "time_attribute": event.time,
        "action": event.get_action(), "source": event.get_source(),
        "source_entity_id": event.get_source_entity_id(),
        "event_bus_details": event.get_event_bus_details(),
        "project_details": event.get_project_details(),
        "raw": body,
        "max_ms": context.get_max_execution_time_ms(),
        "remaining_ms": context.get_remaining_execution_time_ms(),
        "context_has_log": hasattr(context, "log"),
        "context_has_close": hasattr(context, "close"),
        "handed": getattr(threading.current_thread(), "__zc_local"),
    }
    if mode == "fail":
        context.close_with_failure()
    elif mode == "fail-then-succeed":
        context.close_with_failure()
        context.close_with_success()
    elif mode == "succeed-then-fail":
        context.close_with_success()
        context.close_with_failure()
    record["ran_after_close"] = True
    request_id = record["handed"]["catalyst_headers"]["X-Zc-Request-Uuid"]
    with open(os.path.join(os.environ["OUT_DIR"], request_id + ".json"), "w") as out:
        json.dump(record, out)
    if mode == "raise":
        raise RuntimeError("event went wrong")
"""

BODY = {"project_details": {"id": "1", "project_name": "demo"},
        "event_bus_details": {"id": "2", "name": "Default"},
        "action": "Put", "source": "Cache", "source_entity_id": "3", "event_time": 1736093400000,
        "data": {"cache_name": "k1", "cache_value": "v1"}}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("event")
    out = root / "out"
    out.mkdir()
    write_project(root, {"ev": FunctionSpec("event", EVENT, {"OUT_DIR": str(out)})})
    with served(make_runtime(root)) as running:
        yield running


def deliver(server, body: bytes) -> tuple[int | None, dict | None]:
    request_id = str(uuid.uuid4())
    delivery = server.call(lambda: server.runtime.functions.invoke_event("ev", body, request_id))
    record = server.runtime.project.root / "out" / f"{request_id}.json"
    return delivery.status, json.loads(record.read_text()) if record.exists() else None


def test_the_getters_read_the_delivered_body(server):
    status, record = deliver(server, json.dumps(BODY).encode())
    assert status == 200
    assert record["data"] == record["data_attribute"] == BODY["data"]
    assert record["time"] == record["time_attribute"] == 1736093400000
    assert (record["action"], record["source"], record["source_entity_id"]) == ("Put", "Cache",
                                                                                 "3")
    assert record["event_bus_details"] == BODY["event_bus_details"]
    assert record["project_details"] == BODY["project_details"]
    assert record["raw"] == BODY


def test_an_empty_body_is_an_empty_event_with_none_getters(server):
    status, record = deliver(server, b"")
    assert status == 200
    assert record["raw"] == {}
    assert [record[key] for key in ("data", "time", "action", "source", "source_entity_id",
                                    "event_bus_details", "project_details")] == [None] * 7


def test_the_context_has_the_event_timeout_and_no_log_or_close(server):
    _, record = deliver(server, b"{}")
    assert record["max_ms"] == 900000
    assert 890000 < record["remaining_ms"] <= 900000 - 500
    assert record["context_has_log"] is False
    assert record["context_has_close"] is False


@pytest.mark.parametrize(("mode", "status"), [
    (None, 200), ("fail", 530), ("fail-then-succeed", 200), ("succeed-then-fail", 530),
])
def test_the_last_close_gives_the_status_and_the_handler_keeps_running(server, mode, status):
    got, record = deliver(server, json.dumps({"mode": mode}).encode())
    assert got == status
    assert record["ran_after_close"] is True


def test_an_uncaught_exception_is_532_with_the_traceback_logged(server):
    status, _ = deliver(server, b'{"mode": "raise"}')
    assert status == 532
    lines = [entry["line"] for entry in server.runtime.functions.logs("ev")]
    assert "Handler raised RuntimeError('event went wrong')" in lines
    assert "RuntimeError: event went wrong" in lines


def test_a_body_that_is_not_json_is_532_before_the_handler_runs(server):
    status, record = deliver(server, b"{not json")
    assert status == 532
    assert record is None


def test_the_platform_headers_are_handed_to_the_handler_thread(server):
    _, record = deliver(server, b"{}")
    handed = record["handed"]["catalyst_headers"]
    assert handed["X-Zc-Projectid"] == server.runtime.credentials.project_id
    assert handed["X-Zc-Admin-Cred-Token"] == server.runtime.credentials.admin_token
    assert handed["X-Zc-Environment"] == "Development"
