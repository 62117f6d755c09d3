"""`catalyst-local files ls|get|put|rm`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click

from catalyst_local.cli.client import admin_client
from catalyst_local.cli.options import data_dir_option, project_option
from catalyst_local.cli.tables import echo_json, echo_table, json_option

CHUNK_BYTES = 256 * 1024


def folder_option(required: bool):
    # No explicit default: click 8.3+ takes `default=None` as a value given, and would let a
    # required option be left out.
    return click.option("--folder", required=required, help="The File Store folder, by name.")


@click.group()
def files() -> None:
    """List, download, upload and delete File Store files of the running server."""


@files.command("ls")
@folder_option(required=False)
@project_option
@data_dir_option
@json_option
def list_files(folder: str | None, project_dir: Path, data_dir: Path | None,
               as_json: bool) -> None:
    """List the files of a folder, or every folder without --folder."""
    with admin_client(project_dir, data_dir) as client:
        answer = client.get("/filestore/files", folder=folder) if folder else \
            client.get("/filestore")
    if as_json:
        echo_json(answer)
    elif folder:
        echo_table(["id", "name", "bytes", "uploaded"],
                   [(f["id"], f["name"], f["size"], f["created_time"]) for f in answer["files"]],
                   empty=f"No files in folder {answer['folder']}.")
    else:
        echo_table(["folder", "id", "files"],
                   [(f["name"], f["id"], f["files"]) for f in answer["folders"]],
                   empty="No folders.")


@files.command("get")
@click.argument("file")
@folder_option(required=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default=None, help="Where to write the bytes; - for stdout [default: the file's "
                                 "name, in the current folder].")
@project_option
@data_dir_option
def get_file(file: str, folder: str, output: Path | None, project_dir: Path,
             data_dir: Path | None) -> None:
    """Download FILE (its id, or the newest file with that name)."""
    with admin_client(project_dir, data_dir) as client, \
            client.download("/filestore/file", folder=folder, file=file) as response:
        if output is not None and str(output) == "-":
            stream = click.get_binary_stream("stdout")
            for chunk in response.iter_bytes(CHUNK_BYTES):
                stream.write(chunk)
            return
        target = output or Path(_attachment_name(response.headers, file)).name
        with open(target, "wb") as out:
            for chunk in response.iter_bytes(CHUNK_BYTES):
                out.write(chunk)
    click.echo(f"Saved {target}", err=True)


@files.command("put")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@folder_option(required=True)
@click.option("--name", default=None, help="The file's name in File Store [default: PATH's].")
@project_option
@data_dir_option
def put_file(path: Path, folder: str, name: str | None, project_dir: Path,
             data_dir: Path | None) -> None:
    """Upload the file at PATH; fires the Filestore Upload event."""
    with admin_client(project_dir, data_dir) as client:
        stored = client.post("/filestore/file", params={"folder": folder,
                                                        "name": name or path.name},
                             content=_read(path))
    click.echo(f"Uploaded {stored['name']} ({stored['size']} bytes) as file {stored['id']}")


@files.command("rm")
@click.argument("file")
@folder_option(required=True)
@project_option
@data_dir_option
def remove_file(file: str, folder: str, project_dir: Path, data_dir: Path | None) -> None:
    """Delete FILE (its id, or the newest file with that name)."""
    with admin_client(project_dir, data_dir) as client:
        deleted = client.call("DELETE", "/filestore/file",
                              params={"folder": folder, "file": file}).json()
    click.echo(f"Deleted {deleted['name']} (file {deleted['id']})")


def _read(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


def _attachment_name(headers, fallback: str) -> str:
    disposition = headers.get("content-disposition", "")
    _, _, name = disposition.partition('filename="')
    return name.rstrip('"') or fallback
