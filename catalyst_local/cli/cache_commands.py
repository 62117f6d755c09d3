"""`catalyst-local cache get|put|list`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from catalyst_local.cli.client import admin_client
from catalyst_local.cli.options import data_dir_option, project_option
from catalyst_local.cli.tables import echo_json, echo_table, json_option

segment_option = click.option("--segment", default="Default", show_default=True,
                              help="The Cache segment, by name.")


@click.group()
def cache() -> None:
    """Read and write Cache keys of the running server."""


@cache.command("list")
@segment_option
@project_option
@data_dir_option
@json_option
def list_keys(segment: str, project_dir: Path, data_dir: Path | None, as_json: bool) -> None:
    """List the segment's keys with their time to expiry."""
    with admin_client(project_dir, data_dir) as client:
        answer = client.get("/cache/keys", segment=segment)
    if as_json:
        echo_json(answer["keys"])
        return
    echo_table(["key", "expires in", "value"],
               [(item["key"], _hours(item["ttl_ms"]), _preview(item["value"]))
                for item in answer["keys"]], empty=f"No keys in segment {answer['segment']}.")


@cache.command("get")
@click.argument("key")
@segment_option
@project_option
@data_dir_option
@json_option
def get_key(key: str, segment: str, project_dir: Path, data_dir: Path | None,
            as_json: bool) -> None:
    """Print the value of KEY."""
    with admin_client(project_dir, data_dir) as client:
        item = client.get("/cache/key", segment=segment, key=key)
    if as_json:
        echo_json(item)
    else:
        click.echo(item["value"])


@cache.command("put")
@click.argument("key")
@click.argument("value")
@segment_option
@click.option("--expiry-hours", type=click.IntRange(1, 48), default=None,
              help="Hours until the key expires, 1 to 48 [default: 48].")
@project_option
@data_dir_option
def put_key(key: str, value: str, segment: str, expiry_hours: int | None, project_dir: Path,
            data_dir: Path | None) -> None:
    """Store VALUE under KEY ("-" reads VALUE from stdin); fires the Cache Put event."""
    if value == "-":
        value = sys.stdin.read()
    with admin_client(project_dir, data_dir) as client:
        item = client.call("PUT", "/cache/key", json={"segment": segment, "key": key,
                                                      "value": value,
                                                      "expiry_hours": expiry_hours}).json()
    click.echo(f"Put {item['key']} in segment {item['segment']}, expires in "
               f"{item['expiry_hours']} h")


def _hours(ttl_ms: int) -> str:
    minutes = ttl_ms // 60_000
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _preview(value: str, limit: int = 60) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[:limit - 1] + "…"
