"""The `catalyst-local` command: one click group, one module per verb family."""

from __future__ import annotations

import click

from catalyst_local import __version__
from catalyst_local.cli.cache_commands import cache
from catalyst_local.cli.deploy_commands import doctor, package
from catalyst_local.cli.env_command import env
from catalyst_local.cli.events_commands import events
from catalyst_local.cli.files_commands import files
from catalyst_local.cli.import_commands import demo, import_csv
from catalyst_local.cli.logs_command import logs
from catalyst_local.cli.serve_command import serve
from catalyst_local.cli.status_commands import reset, status
from catalyst_local.cli.zoho_commands import zoho


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="catalyst-local")
def main() -> None:
    """Run Zoho Catalyst functions with File Store, Cache and Event Listener rules, locally."""


main.add_command(serve)
main.add_command(env)
main.add_command(import_csv)
main.add_command(demo)
main.add_command(doctor)
main.add_command(package)
main.add_command(status)
main.add_command(logs)
main.add_command(cache)
main.add_command(files)
main.add_command(events)
main.add_command(zoho)
main.add_command(reset)
