"""The Event Listener: durable emit, ordered delivery, retries, replay and the admin routes."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from function_harness import FunctionSpec, make_runtime, served, wait_for, write_project

from catalyst_local.events.bus import EventBus

RECORDER = """
import json
import os


def handler(event, context):
    with open(os.environ["OUT_FILE"], "a") as out:
        out.write(json.dumps(event.get_raw_data()) + "\\n")
    if event.get_data().get("cache_value") == "fail":
        context.close_with_failure()
"""

RULES = [
    {"name": "OrdersToRecorder", "source": "Cache", "entities": ["Orders"], "actions": ["Put"],
     "targets": ["recorder", "second"]},
    {"name": "Disabled", "source": "Cache", "entities": ["Orders"], "actions": ["Put"],
     "targets": ["recorder"], "enabled": False},
    {"name": "Uploads", "source": "Filestore", "entities": ["Docs"], "actions": ["Upload"],
     "targets": ["recorder"]},
]
CACHE_ITEM = {"cache_name": "k1", "cache_value": "v1", "expiry_in_hours": "48",
              "ttl_in_milliseconds": "172800000",
              "segment_details": {"id": "4000000012077", "segment_name": "Orders"}}


def make_project(root: Path, **settings) -> Path:
    out = {"OUT_FILE": str(root / "recorder.jsonl")}
    second = {"OUT_FILE": str(root / "second.jsonl")}
    return write_project(root, {"recorder": FunctionSpec("event", RECORDER, out),
                                "second": FunctionSpec("event", RECORDER, second)},
                         rules=RULES, segments=["Orders", "Other"], folders=["Docs"],
                         settings={"event_retry_backoff": 0.05, **settings})


def delivered_bodies(root: Path, name: str = "recorder") -> list[dict]:
    path = root / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def wait_state(bus: EventBus, event_id: str, state: str) -> dict:
    return wait_for(lambda: (event := bus.get(event_id))["state"] == state and event,
                    what=f"event {event_id} to be {state}")


def test_emit_persists_one_event_per_matching_rule_and_target(tmp_path):
    runtime = make_runtime(make_project(tmp_path))
    bus = EventBus(runtime, tmp_path / "events.sqlite3")
    try:
        ids = bus.emit("Cache", "Put", "4000000012077", "Orders", CACHE_ITEM)
        assert bus.emit("Cache", "Put", "4000000012078", "Other", CACHE_ITEM) == []
        assert bus.emit("Filestore", "Upload", "1", "Orders", {}) == []
        assert bus.emit("Cache", "Delete", "4000000012077", "Orders", CACHE_ITEM) == []
        events = bus.list()
    finally:
        bus.close()

    assert [event["id"] for event in events] == ids
    assert [(e["rule"], e["function"], e["state"]) for e in events] == [
        ("OrdersToRecorder", "recorder", "pending"), ("OrdersToRecorder", "second", "pending")]
    body = EventBus(runtime, tmp_path / "events.sqlite3").get(ids[0])["body"]
    project = {"id": runtime.credentials.project_id, "project_name": "demo"}
    assert body["event_time"] > 1_700_000_000_000 and isinstance(body["event_time"], int)
    assert body == {
        "project_details": project, "current_project": project,
        "event_bus_details": {"id": body["event_bus_details"]["id"], "name": "Default"},
        "action": "Put", "source": "Cache", "source_entity_id": "4000000012077",
        "event_time": body["event_time"], "data": CACHE_ITEM}


def test_the_event_bus_id_stays_the_same_across_restarts(tmp_path):
    runtime = make_runtime(make_project(tmp_path))
    first = EventBus(runtime, tmp_path / "events.sqlite3")
    first.close()
    second = EventBus(runtime, tmp_path / "events.sqlite3")
    second.close()
    assert first.bus_id == second.bus_id
    assert first.bus_id.isdigit()


def test_ids_and_sizes_can_be_numbers(tmp_path):
    runtime = make_runtime(make_project(tmp_path, event_numbers_as_strings=False))
    bus = EventBus(runtime, tmp_path / "events.sqlite3")
    try:
        [event_id, _] = bus.emit("Cache", "Put", "4000000012077", "Orders", CACHE_ITEM)
        data = bus.get(event_id)["body"]["data"]
    finally:
        bus.close()
    assert data["expiry_in_hours"] == 48
    assert data["ttl_in_milliseconds"] == 172800000
    assert data["segment_details"] == {"id": 4000000012077, "segment_name": "Orders"}
    assert data["cache_value"] == "v1"


def test_events_are_delivered_to_every_target_in_order(tmp_path):
    root = make_project(tmp_path)
    with served(make_runtime(root), events=True) as server:
        bus = server.runtime.events
        ids = [bus.emit("Cache", "Put", "4000000012077", "Orders",
                        {**CACHE_ITEM, "cache_value": f"v{n}"})[0] for n in range(3)]
        for event_id in ids:
            event = wait_state(bus, event_id, "delivered")
            assert [attempt["status"] for attempt in event["attempts"]] == [200]
        wait_for(lambda: len(delivered_bodies(root, "second")) == 3, what="the second target")
    assert [body["data"]["cache_value"] for body in delivered_bodies(root)] == ["v0", "v1", "v2"]


def test_a_failing_event_is_retried_then_kept_as_failed(tmp_path, caplog):
    root = make_project(tmp_path, event_retries=2)
    with served(make_runtime(root), events=True) as server:
        bus = server.runtime.events
        [event_id, _] = bus.emit("Cache", "Put", "4000000012077", "Orders",
                                 {**CACHE_ITEM, "cache_value": "fail"})
        event = wait_state(bus, event_id, "failed")
    assert [(a["series"], a["status"], a["error"]) for a in event["attempts"]] == [
        (1, 530, None)] * 3
    assert len(delivered_bodies(root)) == 3
    retries = [r.getMessage() for r in caplog.records
               if r.name == "catalyst_local.events" and r.levelno == logging.WARNING
               and event_id in r.getMessage()]
    assert retries == [
        f"Event {event_id} to function recorder (rule OrdersToRecorder) failed (status 530); "
        "retry 1 of 2 in 0.1 s",
        f"Event {event_id} to function recorder (rule OrdersToRecorder) failed (status 530); "
        "retry 2 of 2 in 0.1 s"]


def test_a_failed_event_can_be_replayed_as_a_new_series(tmp_path):
    root = make_project(tmp_path, event_retries=0)
    with served(make_runtime(root), events=True) as server:
        bus = server.runtime.events
        [event_id, _] = bus.emit("Cache", "Put", "4000000012077", "Orders",
                                 {**CACHE_ITEM, "cache_value": "fail"})
        wait_state(bus, event_id, "failed")
        assert bus.replay(event_id)["series"] == 2
        event = wait_state(bus, event_id, "failed")
        assert [(a["series"], a["status"]) for a in event["attempts"]] == [(1, 530), (2, 530)]


def test_pause_holds_delivery_but_not_emit(tmp_path):
    root = make_project(tmp_path)
    with served(make_runtime(root), events=True) as server:
        bus = server.runtime.events
        bus.pause()
        [event_id, _] = bus.emit("Cache", "Put", "4000000012077", "Orders", CACHE_ITEM)
        assert bus.get(event_id)["state"] == "pending"
        assert delivered_bodies(root) == []
        bus.resume()
        wait_state(bus, event_id, "delivered")


def test_an_event_left_delivering_is_delivered_again_on_start(tmp_path):
    root = make_project(tmp_path)
    runtime = make_runtime(root)
    bus = EventBus(runtime, runtime.data_dir / "events.sqlite3")
    [event_id, _] = bus.emit("Cache", "Put", "4000000012077", "Orders", CACHE_ITEM)
    bus.store.mark_delivering(event_id)  # as a crash mid-delivery leaves it
    bus.close()
    with served(runtime, events=True) as server:
        wait_state(server.runtime.events, event_id, "delivered")
    assert len(delivered_bodies(root)) == 1


def test_an_emitted_event_survives_sigkill_and_is_delivered_once(tmp_path):
    root = make_project(tmp_path)
    holder = subprocess.Popen([sys.executable, str(Path(__file__).with_name("bus_process.py")),
                               str(root)], stdout=subprocess.PIPE)
    try:
        ids = json.loads(holder.stdout.readline())
        holder.send_signal(signal.SIGKILL)
    finally:
        holder.wait(timeout=10)
        holder.stdout.close()
    assert holder.returncode == -signal.SIGKILL
    assert len(ids) == 2

    with served(make_runtime(root), events=True) as server:
        for event_id in ids:
            event = wait_state(server.runtime.events, event_id, "delivered")
            assert len(event["attempts"]) == 1
    assert len(delivered_bodies(root)) == 1
    assert delivered_bodies(root)[0]["data"] == {"cache_name": "k1", "cache_value": "v1"}


@pytest.fixture
def admin(tmp_path):
    root = make_project(tmp_path, event_retries=0)
    with served(make_runtime(root), events=True) as server:
        yield server, f"{server.url}/_catalyst_local/events"


def test_the_admin_routes_list_show_replay_pause_and_resume(admin):
    server, base = admin
    assert httpx.post(f"{base}/pause", timeout=10).json() == {"paused": True}
    [event_id, _] = server.runtime.events.emit("Cache", "Put", "4000000012077", "Orders",
                                               CACHE_ITEM)
    listing = httpx.get(base, timeout=10).json()
    assert listing["paused"] is True
    assert [(e["id"], e["state"]) for e in listing["events"]][0] == (event_id, "pending")
    assert "body" not in listing["events"][0]

    conflict = httpx.post(f"{base}/{event_id}/replay", timeout=10)
    assert conflict.status_code == 409
    assert conflict.json() == {"error": f"Event {event_id} is pending; only a delivered or "
                                        "failed event can be replayed"}

    assert httpx.post(f"{base}/resume", timeout=10).json() == {"paused": False}
    wait_state(server.runtime.events, event_id, "delivered")
    shown = httpx.get(f"{base}/{event_id}", timeout=10).json()
    assert shown["body"]["data"] == CACHE_ITEM
    assert httpx.get(base, params={"state": "delivered"}, timeout=10).json()["events"][0][
        "id"] == event_id

    replayed = httpx.post(f"{base}/{event_id}/replay", timeout=10)
    assert replayed.status_code == 200
    assert replayed.json()["series"] == 2
    event = wait_state(server.runtime.events, event_id, "delivered")
    assert [a["series"] for a in event["attempts"]] == [1, 2]


def test_the_admin_routes_reject_unknown_ids_and_states(admin):
    _, base = admin
    missing = httpx.get(f"{base}/123", timeout=10)
    assert (missing.status_code, missing.json()) == (404, {"error": "No event with id 123"})
    assert httpx.post(f"{base}/123/replay", timeout=10).status_code == 404
    bad = httpx.get(base, params={"state": "lost"}, timeout=10)
    assert (bad.status_code, bad.json()) == (
        400, {"error": "Unknown state lost; use one of pending, delivering, delivered, failed"})
