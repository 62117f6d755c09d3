"""`catalyst-local logs`: a function's recent output, optionally followed."""

from __future__ import annotations

import time
from pathlib import Path

import click

from catalyst_local.cli.client import AdminClient, admin_client
from catalyst_local.cli.options import data_dir_option, project_option

POLL_SECONDS = 0.5


@click.command()
@click.argument("function", required=False)
@project_option
@data_dir_option
@click.option("--follow", "-f", is_flag=True, help="Keep printing new lines until Ctrl-C.")
@click.option("--max-seconds", type=click.FloatRange(min=0), default=None, hidden=True,
              help="Stop following after this many seconds.")
def logs(function: str | None, project_dir: Path, data_dir: Path | None, follow: bool,
         max_seconds: float | None) -> None:
    """Print the recent output of FUNCTION, or of every function."""
    with admin_client(project_dir, data_dir) as client:
        names = [function] if function else [f["name"] for f in client.get("/functions")
                                              ["functions"]]
        since = {name: 0 for name in names}
        _print_new(client, since, prefix=function is None)
        if not follow:
            return
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        try:
            while deadline is None or time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
                _print_new(client, since, prefix=function is None)
        except KeyboardInterrupt:
            pass


def _print_new(client: AdminClient, since: dict[str, int], prefix: bool) -> None:
    for name in since:
        answer = client.get(f"/functions/{name}/logs", since=since[name])
        for line in answer["lines"]:
            stamp = time.strftime("%H:%M:%S", time.localtime(line["time"]))
            who = f"{name}  " if prefix else ""
            click.echo(f"{stamp} {line['level']:<7} {who}{line['line']}")
        since[name] = answer["last"]
