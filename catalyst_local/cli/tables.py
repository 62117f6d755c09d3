"""Plain-text tables and JSON output for the everyday verbs."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import click

json_option = click.option("--json", "as_json", is_flag=True,
                           help="Print the server's answer as JSON instead of a table.")


def cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def render(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Columns padded to their widest cell, headers in capitals."""
    text_rows = [[cell(value) for value in row] for row in rows]
    table = [[header.upper() for header in headers], *text_rows]
    widths = [max(len(row[index]) for row in table) for index in range(len(headers))]
    return "\n".join("  ".join(value.ljust(width) for value, width in zip(row, widths,
                                                                            strict=True)).rstrip()
                     for row in table)


def echo_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], empty: str) -> None:
    rows = list(rows)
    click.echo(render(headers, rows) if rows else empty)


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2))
