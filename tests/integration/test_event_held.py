"""An event for a function whose code does not load waits for the fix instead of failing."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import httpx

from tests.projects import write_function, write_project
from tests.serving import ServeProcess

RECORDER = """
    import os

    def handler(event, context):
        with open(os.environ["EVENTS_FILE"], "a") as out:
            out.write(event.get_data()["cache_name"] + "\\n")
        context.close_with_success()
"""


def test_an_event_waits_while_its_function_is_broken_and_arrives_after_the_fix(tmp_path: Path):
    events_file = tmp_path / "events.txt"
    root = write_project(tmp_path / "project", ["on_put"], segments=["Orders"],
                         rules=[{"name": "OrdersPut", "source": "Cache", "entities": ["Orders"],
                                 "actions": ["Put"], "targets": ["on_put"]}],
                         settings={"event_retries": 1, "event_retry_backoff": 0.1})
    folder = write_function(root, "on_put", "event", "def handler(event, context)\n",
                            env={"EVENTS_FILE": str(events_file)})
    with ServeProcess(root, tmp_path / "data") as server:
        admin = f"{server.url}/_catalyst_local"
        put = httpx.put(f"{admin}/cache/key",
                        json={"segment": "Orders", "key": "order-1", "value": "shipped"})
        assert put.status_code == 200, put.text

        time.sleep(2)  # far longer than one retry at 0.1 s
        [event] = httpx.get(f"{admin}/events").json()["events"]
        assert event["state"] == "pending" and event["attempts"] == []
        assert "waits: the code of function on_put does not load" in server.logs()

        (folder / "main.py").write_text(textwrap.dedent(RECORDER))
        deadline = time.monotonic() + 30
        while not (events_file.exists() and events_file.read_text()):
            assert time.monotonic() < deadline, server.tail_logs()
            time.sleep(0.1)
    assert events_file.read_text() == "order-1\n"
