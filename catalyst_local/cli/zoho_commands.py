"""`catalyst-local zoho records`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from catalyst_local.cli.client import admin_client
from catalyst_local.cli.options import data_dir_option, project_option
from catalyst_local.cli.tables import echo_json, echo_table, json_option

COLUMNS_SHOWN = 6


@click.group()
def zoho() -> None:
    """Look into the embedded Zoho CRM sandbox."""


@zoho.command("records")
@click.argument("module")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many records to show, oldest first.")
@project_option
@data_dir_option
@json_option
def records(module: str, limit: int, project_dir: Path, data_dir: Path | None,
            as_json: bool) -> None:
    """Show the records of MODULE (Leads, Contacts, ...) in the sandbox's org."""
    with admin_client(project_dir, data_dir) as client:
        answer = client.get("/zoho/records", module=module, limit=limit)
    if as_json:
        echo_json(answer)
        return
    rows = answer["records"]
    columns: list[str] = []
    for record in rows:
        columns += [key for key in record if key not in columns
                    and not key.endswith(("_By", "_Time")) and key != "Owner"]
    columns = columns[:COLUMNS_SHOWN]
    echo_table(columns, [[_text(record.get(column)) for column in columns] for record in rows],
               empty=f"No {module} records.")
    if answer["total"] > len(rows):
        click.echo(f"({len(rows)} of {answer['total']} shown; use --limit for more)")


def _text(value: object) -> object:
    if isinstance(value, dict):
        return value.get("name") or json.dumps(value)
    return json.dumps(value) if isinstance(value, list) else value
