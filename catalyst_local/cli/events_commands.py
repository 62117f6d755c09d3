"""`catalyst-local events ls|replay`."""

from __future__ import annotations

import time
from pathlib import Path

import click

from catalyst_local.cli.client import admin_client
from catalyst_local.cli.options import data_dir_option, project_option
from catalyst_local.cli.tables import echo_json, echo_table, json_option
from catalyst_local.events.store import STATES


@click.group()
def events() -> None:
    """List and replay Event Listener events of the running server."""


@events.command("ls")
@click.option("--state", type=click.Choice(STATES), default=None,
              help="Only events in this state.")
@project_option
@data_dir_option
@json_option
def list_events(state: str | None, project_dir: Path, data_dir: Path | None,
                as_json: bool) -> None:
    """List events, oldest first, with their attempts."""
    with admin_client(project_dir, data_dir) as client:
        answer = client.get("/events", state=state)
    if as_json:
        echo_json(answer["events"])
        return
    echo_table(["id", "created", "rule", "function", "source", "state", "attempts",
                "last error"],
               [(e["id"], time.strftime("%H:%M:%S", time.localtime(e["created_time"] / 1000)),
                 e["rule"], e["function"], f"{e['source']} {e['action']} {e['entity_name']}",
                 e["state"], len(e["attempts"]),
                 next((a["error"] or f"status {a['status']}" for a in reversed(e["attempts"])
                       if a["status"] != 200), None))
                for e in answer["events"]],
               empty="No events.")


@events.command("replay")
@click.argument("event_id", metavar="ID")
@project_option
@data_dir_option
def replay(event_id: str, project_dir: Path, data_dir: Path | None) -> None:
    """Deliver a delivered or failed event again, as a new series of attempts."""
    with admin_client(project_dir, data_dir) as client:
        event = client.post(f"/events/{event_id}/replay")
    click.echo(f"Event {event['id']} queued again for function {event['function']} "
               f"(series {event['series']})")
