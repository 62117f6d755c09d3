"""Options several commands share, and how they find the project's data directory."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from catalyst_local.project import ConfigError, load_project
from catalyst_local.wiring import SANDBOX_KEYS, SECRET_KEY, ZOHO_MARKER, local_secret_key

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
    server = json.loads(state.read_text(encoding="utf-8"))
    if not _alive(server.get("pid")):
        raise click.ClickException(
            f"the catalyst-local server of data directory {data_dir} (pid {server.get('pid')}) "
            "is gone without shutting down; start it again with `catalyst-local serve`")
    return server["url"]


def _alive(pid: object) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def local_env_value(project_dir: Path, data_dir: Path, variable: str) -> str:
    """One env variable's local value, FUNCTION.VARIABLE: the local env file's, else the key the
    emulator provisioned, else `catalyst-config.json`'s. Values the sandbox provides are refused
    rather than shown wrong."""
    name, _, key = variable.partition(".")
    try:
        project = load_project(project_dir)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    function = project.functions.get(name)
    if function is None or not key:
        raise click.BadParameter(f"'{variable}' must be FUNCTION.VARIABLE with a function of "
                                 f"this project ({', '.join(project.functions)})",
                                 param_hint="--get")
    local = project.local_env.get(name, {})
    if key in local:
        return local[key]
    if key == SECRET_KEY and key in function.env_variables:
        return local_secret_key(data_dir)
    if key in SANDBOX_KEYS and ZOHO_MARKER in function.env_variables:
        raise click.ClickException(
            f"{key} of function {name} comes from the embedded Zoho sandbox while serve runs, "
            f"and sandbox credentials are never printed; set it in catalyst-local.env.json to "
            "use your own")
    if key in function.env_variables:
        return function.env_variables[key]
    raise click.ClickException(f"function {name} has no env variable {key}")
