"""`catalyst-local status` and `catalyst-local reset`."""

from __future__ import annotations

from pathlib import Path

import click

from catalyst_local.cli.client import admin_client
from catalyst_local.cli.options import data_dir_option, project_option
from catalyst_local.cli.tables import echo_json, echo_table, json_option


@click.command()
@project_option
@data_dir_option
@json_option
def status(project_dir: Path, data_dir: Path | None, as_json: bool) -> None:
    """Show the running server: its URL, functions, events by state, segments and folders."""
    with admin_client(project_dir, data_dir) as client:
        state = client.get("/status")
    if as_json:
        echo_json(state)
        return
    click.echo(f"Server {state['url']} serving project {state['project']}")
    click.echo(f"Data directory {state['data_dir']}\n")
    echo_table(["function", "type", "state", "restarts"],
               [(name, value["type"], value["state"], value["restarts"])
                for name, value in state["functions"].items()],
               empty="No functions.")
    paused = " (delivery paused)" if state["events_paused"] else ""
    counts = ", ".join(f"{count} {name}" for name, count in state["events"].items())
    click.echo(f"\nEvents: {counts}{paused}\n")
    echo_table(["segment", "keys"], [(s["name"], s["keys"]) for s in state["segments"]],
               empty="No segments.")
    click.echo()
    echo_table(["folder", "files"], [(f["name"], f["files"]) for f in state["folders"]],
               empty="No folders.")


@click.command()
@project_option
@data_dir_option
@click.option("--yes", is_flag=True, help="Reset without asking first.")
def reset(project_dir: Path, data_dir: Path | None, yes: bool) -> None:
    """Delete every Cache key, File Store file, event, and sandbox CRM record and job.

    Segments, folders, ids and credentials stay, so the server keeps running as it was.
    """
    with admin_client(project_dir, data_dir) as client:
        if not yes:
            click.confirm(f"Delete all data of the server at {client.url}?", abort=True)
        removed = client.post("/reset")["removed"]
    click.echo(f"Reset: {removed['keys']} keys, {removed['files']} files, {removed['events']} "
               f"events and {removed['jobs']} bulk write jobs removed")
