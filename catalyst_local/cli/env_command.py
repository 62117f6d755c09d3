"""`catalyst-local env`: point the official SDK at a running emulator from any script."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import click

from catalyst_local.baas.credentials import Credentials
from catalyst_local.cli.options import (
    data_dir_for,
    data_dir_option,
    local_env_value,
    project_option,
    running_server_url,
)


def sdk_environment(url: str, credentials: Credentials) -> dict[str, str]:
    """What `zcatalyst_sdk.initialize_app()` reads when called with no arguments."""
    options = {"project_id": credentials.project_id, "project_key": credentials.project_key,
               "project_domain": credentials.project_domain,
               "environment": credentials.environment}
    return {
        "X_ZOHO_CATALYST_CONSOLE_URL": url,
        "CATALYST_OPTIONS": json.dumps(options),
        "CATALYST_AUTH": json.dumps({"access_token": credentials.admin_token}),
    }


@click.command()
@project_option
@data_dir_option
@click.option("--format", "output", type=click.Choice(["shell", "dotenv", "json"]),
              default="shell", show_default=True, help="How to print the variables.")
@click.option("--get", "variable", metavar="FUNCTION.VARIABLE", default=None,
              help="Print one env variable's local value for a function instead.")
def env(project_dir: Path, data_dir: Path | None, output: str, variable: str | None) -> None:
    """Print what a script needs to use the official SDK against the running emulator.

    \b
    eval "$(catalyst-local env)"
    python -c 'import zcatalyst_sdk; app = zcatalyst_sdk.initialize_app();
               print(app.cache().get_all_segment())'
    """
    data = data_dir_for(project_dir, data_dir)
    if variable:
        click.echo(local_env_value(project_dir, data, variable))
        return
    credentials_file = data / "credentials.json"
    url = running_server_url(data)
    if not credentials_file.exists():
        raise click.ClickException(f"{credentials_file} is missing; restart the server")
    values = sdk_environment(url, Credentials(**json.loads(credentials_file.read_text())))
    if output == "json":
        click.echo(json.dumps(values, indent=2))
    elif output == "dotenv":
        click.echo("\n".join(f"{key}={json.dumps(value)}" for key, value in values.items()))
    else:
        click.echo("\n".join(f"export {key}={shlex.quote(value)}" for key, value in values.items()))
