"""`catalyst-local doctor` and `catalyst-local package`: getting a project ready for Catalyst."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from catalyst_local.cli.options import project_option
from catalyst_local.deploy.doctor import DoctorOptions, diagnose
from catalyst_local.deploy.findings import ERROR, has_errors, summary
from catalyst_local.deploy.package import (
    PackageError,
    PackageOptions,
    package_function,
    run_predeploy,
)
from catalyst_local.deploy.pip import PipSource
from catalyst_local.project import ConfigError, Project, load_project

find_links_option = click.option(
    "--find-links", multiple=True, metavar="DIR",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Also look for distributions in this folder of wheels (repeatable).")
no_index_option = click.option(
    "--no-index", is_flag=True, help="Use only --find-links folders, not the package index.")


@click.command()
@project_option
@click.option("--offline", is_flag=True,
              help="Skip the check that every requirement has a manylinux wheel (it uses pip "
                   "and the package index).")
@find_links_option
@no_index_option
def doctor(project_dir: Path, offline: bool, find_links: tuple[Path, ...],
           no_index: bool) -> None:
    """Check the project as Catalyst would before a deploy, and say what to fix.

    One line per finding: level, file, key, the problem and its fix. Exits 1 when any finding is
    an ERROR, 0 otherwise.
    """
    options = DoctorOptions(offline=offline, pip_source=PipSource(find_links, no_index))
    findings = diagnose(project_dir, options)
    for finding in findings:
        click.echo(finding.line())
    click.echo(summary(findings))
    sys.exit(1 if has_errors(findings) else 0)


@click.command()
@project_option
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the packages [default: .catalyst-local/package/ in the "
                   "project].")
@click.option("--zip", "as_zip", is_flag=True, help="Write one zip per function, not a folder.")
@click.option("--manylinux", is_flag=True,
              help="Install manylinux2014_x86_64 wheels for the function's stack, as Catalyst "
                   "runs them, instead of this machine's.")
@click.option("--no-deps-install", "skip_install", is_flag=True,
              help="Do not install requirements.txt into the package.")
@click.option("--skip-predeploy", is_flag=True, help="Do not run functions.scripts.predeploy.")
@click.option("--force", is_flag=True, help="Package even when doctor finds errors.")
@find_links_option
@no_index_option
@click.argument("functions", nargs=-1, metavar="[FUNCTION]...")
def package(project_dir: Path, out_dir: Path | None, as_zip: bool, manylinux: bool,
            skip_install: bool, skip_predeploy: bool, force: bool, find_links: tuple[Path, ...],
            no_index: bool, functions: tuple[str, ...]) -> None:
    """Write the deploy-ready folder (or zip) of each FUNCTION, all of them by default.

    Runs the predeploy script, copies the function folder minus functions.ignore, and installs
    requirements.txt into the folder root, as `catalyst deploy` does.
    """
    project = _load(project_dir)
    if not skip_predeploy:
        try:
            script = run_predeploy(project)
        except PackageError as error:
            raise click.ClickException(str(error)) from None
        if script:
            click.echo(f"ran predeploy script: {script}", err=True)
        project = _load(project_dir)  # the script may have changed the function folders

    chosen = _choose(project, functions)
    _refuse_broken(project, chosen, force)
    options = PackageOptions(out_dir=out_dir or project.root / ".catalyst-local" / "package",
                             as_zip=as_zip, manylinux=manylinux,
                             install_dependencies=not skip_install,
                             pip_source=PipSource(find_links, no_index))
    for name in chosen:
        function = project.functions[name]
        if not manylinux and not skip_install and function.stack != _running_stack():
            click.echo(f"note: {name} runs on {function.stack}; its dependencies are installed "
                       f"for this machine ({_running_stack()}). Use --manylinux for Catalyst's.",
                       err=True)
        try:
            result = package_function(project, function, options)
        except PackageError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"{name}: {result.path} ({_size(result.size)}, {result.files} files)")


def _load(project_dir: Path) -> Project:
    try:
        return load_project(project_dir)
    except ConfigError as error:
        raise click.ClickException(f"{error}\nRun `catalyst-local doctor` for every problem "
                                   "and its fix.") from None


def _choose(project: Project, functions: tuple[str, ...]) -> list[str]:
    unknown = [name for name in functions if name not in project.functions]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)}: not a function of this project "
                                 f"({', '.join(project.functions)})", param_hint="FUNCTION")
    return list(functions or project.functions)


def _refuse_broken(project: Project, chosen: list[str], force: bool) -> None:
    folders = tuple(project.functions[name].directory.name for name in chosen)
    findings = [finding for finding in diagnose(project.root, DoctorOptions(
        offline=True, functions=folders)) if finding.level == ERROR]
    for finding in findings:
        click.echo(finding.line(), err=True)
    if findings and not force:
        raise click.ClickException("doctor found errors; fix them, or pass --force")


def _running_stack() -> str:
    return f"python_{sys.version_info.major}_{sys.version_info.minor}"


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024**2:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024**2:.1f} MB"
