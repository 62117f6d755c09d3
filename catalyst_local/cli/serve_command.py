"""`catalyst-local serve`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from catalyst_local import logs
from catalyst_local.cli.options import data_dir_option, project_option
from catalyst_local.project import ConfigError


@click.command()
@project_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Keep it on loopback: the emulator has no real auth.")
@click.option("--port", default=3000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0 picks a free one.")
@data_dir_option
@click.option("--ephemeral", is_flag=True,
              help="Keep state in a temporary folder, deleted on exit.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
def serve(project_dir: Path, host: str, port: int, data_dir: Path | None, ephemeral: bool,
          log_level: str) -> None:
    """Serve the project's functions, File Store, Cache, Event Listener and the Zoho sandbox."""
    from catalyst_local.serve import DataDirInUse
    from catalyst_local.serve import serve as run  # imports uvicorn and every component

    logs.configure(log_level)
    if ephemeral and data_dir:
        raise click.UsageError("--ephemeral and --data-dir cannot be used together")
    try:
        run(str(project_dir), host, port, str(data_dir) if data_dir else None, ephemeral)
    except (ConfigError, DataDirInUse) as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
