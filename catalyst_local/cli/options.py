"""Options several commands share, and how they find the project's data directory."""

from __future__ import annotations

import json
from pathlib import Path

import click

project_option = click.option(
    "--project", "project_dir", default=".", show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The Catalyst project folder (the one holding catalyst.json).")
data_dir_option = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Where the emulator keeps its state [default: .catalyst-local/ in the project].")


def data_dir_for(project_dir: Path, data_dir: Path | None) -> Path:
    return (data_dir or project_dir / ".catalyst-local").resolve()


def running_server_url(data_dir: Path) -> str:
    """The URL of the server using `data_dir`, or a usage error saying how to start one."""
    state = data_dir / "server.json"
    if not state.exists():
        raise click.ClickException(
            f"no catalyst-local server is running with data directory {data_dir}; "
            "start one with `catalyst-local serve`")
    return json.loads(state.read_text(encoding="utf-8"))["url"]
