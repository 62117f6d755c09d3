"""A throwaway project with a segment, a folder, two rules and a tiny Event function, served by
a real `catalyst-local serve`; shared by the admin, CLI and console tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.projects import write_function, write_project
from tests.serving import ServeProcess

ON_CHANGE = """
import os


def handler(event, context):
    data = event.get_data() or {}
    name = data.get("cache_name") or data.get("file_name")
    print(f"{event.get_source()} {event.get_action()} {name}", flush=True)
    if data.get("cache_value") == "leak":
        print("the key is " + os.environ["API_KEY"], flush=True)
    if data.get("cache_value") == "fail":
        context.close_with_failure()
    else:
        context.close_with_success()
"""

ENV = {"API_KEY": "k3y-value-0123456789", "DB_PASSWORD": "pa55word-abcdef",
       "REFRESH_TOKEN_URL_HINT": "not-a-url-name", "TOKEN_URL": "http://127.0.0.1:9/token",
       "GREETING": "hello there"}
RULES = [
    {"name": "SessionPut", "source": "Cache", "entities": ["Sessions"], "actions": ["Put"],
     "targets": ["on_change"]},
    {"name": "ReportUpload", "source": "Filestore", "entities": ["Reports"],
     "actions": ["Upload"], "targets": ["on_change"]},
]


def build_project(root: Path) -> Path:
    write_function(root, "on_change", "event", ON_CHANGE, env=ENV)
    # No redeliveries: a failed event is `failed` after one attempt.
    return write_project(root, ["on_change"], folders=["Reports"], segments=["Sessions"],
                         rules=RULES, settings={"event_retries": 0})


@contextmanager
def served_project(base: Path) -> Iterator[ServeProcess]:
    project = build_project(base / "project")
    with ServeProcess(project, base / "data") as server:
        yield server


def wait_for(check, what: str, timeout: float = 20.0) -> Any:
    """Polls `check` until it answers something truthy; fails naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def event_in_state(server: ServeProcess, event_id: str, state: str,
                   attempts: int = 1) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        event = httpx.get(f"{server.url}/_catalyst_local/events/{event_id}").json()
        done = event["state"] == state and len(event["attempts"]) >= attempts
        return event if done else None

    return wait_for(check, f"event {event_id} to be {state} after {attempts} attempt(s)")


def new_events(server: ServeProcess, seen: set[str]) -> list[dict[str, Any]]:
    events = httpx.get(f"{server.url}/_catalyst_local/events").json()["events"]
    return [event for event in events if event["id"] not in seen]
