"""The `catalyst-local` command: one click group, one module per verb family."""

from __future__ import annotations

import click

from catalyst_local import __version__
from catalyst_local.cli.env_command import env
from catalyst_local.cli.import_commands import demo, import_csv
from catalyst_local.cli.serve_command import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="catalyst-local")
def main() -> None:
    """Run Zoho Catalyst functions with File Store, Cache and Event Listener rules, locally."""


main.add_command(serve)
main.add_command(env)
main.add_command(import_csv)
main.add_command(demo)
