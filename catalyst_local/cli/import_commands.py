"""`catalyst-local import` (the client side of the main job) and `catalyst-local demo`."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import click
import httpx

from catalyst_local.cli.options import (
    data_dir_for,
    data_dir_option,
    local_env_value,
    project_option,
    running_server_url,
)
from catalyst_local.client.background import sandbox_org_id
from catalyst_local.client.importer import ImportClient, ImportFailed, Summary, job_state, summarize

SERVICE = "crm_bulk_job_service"
FIRST_ERRORS = 5


def parse_mapping(pairs: tuple[str, ...]) -> dict[str, str] | None:
    mapping: dict[str, str] = {}
    for pair in pairs:
        header, sep, field = pair.partition("=")
        if not sep or not header or not field:
            raise click.BadParameter(f"'{pair}' must be HEADER=FIELD_API_NAME",
                                     param_hint="--mapping")
        mapping[header] = field
    return mapping or None


def run_import(url: str, secret_key: str, csv_path: Path, module: str, org_id: str,
               operation: str | None = None, find_by: str | None = None,
               mapping: dict[str, str] | None = None) -> Summary:
    """Uploads with a progress bar, follows the batches with another, returns the summary."""
    size = csv_path.stat().st_size
    with ImportClient(url, secret_key) as client:
        with click.progressbar(length=size, label="Uploading", file=sys.stderr) as upload:
            answer = client.submit(csv_path, module, org_id, operation=operation,
                                   find_by=find_by, mapping=mapping, on_bytes=upload.update)
        import_id = answer["import_id"]
        click.echo(f"Import {import_id} accepted (File Store file {answer['file_id']})",
                   err=True)

        done_jobs = 0
        with click.progressbar(length=1, label="Importing", file=sys.stderr) as bar:

            def show(view: dict[str, Any]) -> None:
                nonlocal done_jobs
                batches = view.get("batches") or []
                bar.length = max(len(batches), 1)
                finished = sum(job_state(b) in ("COMPLETED", "FAILED") for b in batches)
                bar.update(finished - done_jobs)
                done_jobs = finished

            view = client.follow(import_id, on_update=show)
    return summarize(view)


def print_summary(summary: Summary) -> None:
    jobs = sum(1 for batch in summary.jobs if batch.get("job_id"))
    click.echo(f"Import {summary.state}: {summary.total_rows} rows in {len(summary.jobs)} "
               f"batch(es), {jobs} bulk write job(s)")
    if summary.reason:
        click.echo(f"  reason: {summary.reason}")
    click.echo(f"  {'batch':>5}  {'job id':<20} {'state':<12} {'added':>7} {'updated':>7} "
               f"{'skipped':>7} {'failed':>7}")
    for batch in summary.jobs:
        click.echo(f"  {batch.get('index', ''):>5}  {str(batch.get('job_id') or '-'):<20} "
                   f"{str(batch.get('job_status') or batch.get('state')):<12} "
                   f"{batch.get('added') or 0:>7} {batch.get('updated') or 0:>7} "
                   f"{batch.get('skipped') or 0:>7} {batch.get('failed') or 0:>7}")
    click.echo(f"  total: {summary.added} added, {summary.updated} updated, "
               f"{summary.skipped} skipped, {summary.failed} failed")
    for error in summary.errors[:FIRST_ERRORS]:
        click.echo(f"  row {error.get('row')}: {error.get('status')} {error.get('errors')}")


def exit_code(summary: Summary) -> int:
    return 1 if summary.state == "failed" or summary.refused_rows else 0


@click.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--module", required=True, help="The Zoho CRM module's API name, e.g. Leads.")
@click.option("--org", "org_id", default=None,
              help="The Zoho CRM org id (zgid) [default: the sandbox's org].")
@click.option("--operation", type=click.Choice(["insert", "update", "upsert"]), default=None,
              help="Bulk write operation [default: insert].")
@click.option("--find-by", default=None, help="Field API name that matches existing records.")
@click.option("--mapping", multiple=True, metavar="HEADER=FIELD",
              help="Map a CSV header to a field API name; repeat for each column.")
@click.option("--url", default=None,
              help="Base URL of the service [default: the running catalyst-local server].")
@click.option("--secret-key", envvar="CODELIB_SECRET_KEY", default=None,
              help="The service's secret key [default: the local one; env CODELIB_SECRET_KEY].")
@project_option
@data_dir_option
def import_csv(csv_file: Path, module: str, org_id: str | None, operation: str | None,
               find_by: str | None, mapping: tuple[str, ...], url: str | None,
               secret_key: str | None, project_dir: Path, data_dir: Path | None) -> None:
    """Import CSV_FILE into a Zoho CRM module through crm_bulk_job_service.

    Exits with 1 when the import failed or any row was skipped or failed."""
    data = data_dir_for(project_dir, data_dir)
    url = url or running_server_url(data)
    secret_key = secret_key or local_env_value(project_dir, data,
                                               f"{SERVICE}.CODELIB_SECRET_KEY")
    try:
        summary = run_import(url, secret_key, csv_file, module,
                             org_id or sandbox_org_id(url), operation, find_by,
                             parse_mapping(mapping))
    except (ImportFailed, httpx.HTTPError) as error:
        raise click.ClickException(str(error)) from None
    print_summary(summary)
    sys.exit(exit_code(summary))


@click.command()
@project_option
@click.option("--file", "csv_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="CSV to import [default: samples/leads.csv in the project].")
@click.option("--rows", type=click.IntRange(1, 1_000_000), default=None,
              help="Import a generated leads file of this many rows instead.")
@click.option("--module", default="Leads", show_default=True)
def demo(project_dir: Path, csv_file: Path | None, rows: int | None, module: str) -> None:
    """Run the main job on the embedded sandbox, start to finish.

    Starts a server with throwaway state, posts the sample CSV through
    /server/crm_bulk_job_service/job as curl would, follows the event and the bulk write jobs, and
    prints what landed in the sandbox CRM. Exits with 0 when the import ran to the end, whatever
    the CRM refused: the sample holds rows it must refuse."""
    from catalyst_local.client.background import BackgroundServer
    from catalyst_local.sample_data import write_leads

    with tempfile.TemporaryDirectory(prefix="catalyst-local-demo-") as temp:
        if rows:
            csv_file = Path(temp) / f"leads-{rows}.csv"
            with csv_file.open("w", newline="", encoding="utf-8") as out:
                write_leads(out, rows, with_errors=True)
        csv_file = csv_file or project_dir / "samples" / "leads.csv"
        if not csv_file.exists():
            raise click.BadParameter(f"{csv_file} does not exist", param_hint="--file")
        click.echo(f"Starting catalyst-local for {project_dir.resolve()} ...", err=True)
        with BackgroundServer(project_dir, Path(temp) / "data") as server:
            click.echo(f"Serving at {server.url}; importing {csv_file} into {module}", err=True)
            secret = local_env_value(project_dir, server.data_dir, f"{SERVICE}.CODELIB_SECRET_KEY")
            try:
                summary = run_import(server.url, secret, csv_file, module,
                                     sandbox_org_id(server.url))
            except (ImportFailed, httpx.HTTPError) as error:
                raise click.ClickException(f"{error}\n{server.tail_logs()}") from None
            print_summary(summary)
            landed = server.sandbox_count(module)
            click.echo(f"The sandbox CRM now holds {landed} {module} record(s).")
    sys.exit(1 if summary.state == "failed" else 0)
