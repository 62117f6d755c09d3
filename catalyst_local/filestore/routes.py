"""The File Store REST API the official SDK calls, relative to `/baas/v1/project/{project_id}`.

Uploads stream to disk as they arrive and downloads stream from disk, so no file is ever held
whole in memory.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Iterator
from typing import BinaryIO

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute

from catalyst_local.baas import errors as baas_errors
from catalyst_local.baas.envelope import success
from catalyst_local.baas.errors import CatalystError
from catalyst_local.baas.routing import json_object, resource
from catalyst_local.filestore import errors
from catalyst_local.filestore.multipart import UploadForm, boundary_of
from catalyst_local.filestore.store import FileStore
from catalyst_local.runtime import Runtime

logger = logging.getLogger("catalyst_local.filestore")

# Body chunks are handed to the disk-writing thread in batches of about this size.
_WRITE_BATCH_BYTES = 1024 * 1024
_READ_CHUNK_BYTES = 256 * 1024

# Starlette answers a method outside a route's list itself; every route takes them all instead.


def routes() -> list[BaseRoute]:
    return [
        resource("/folder", "filestore", GET=list_folders, POST=create_folder),
        resource("/folder/{folder_id}", "filestore", GET=folder_details, PUT=rename_folder,
                  DELETE=delete_folder),
        resource("/folder/{folder_id}/file", "filestore", POST=upload_file),
        resource("/folder/{folder_id}/file/{file_id}", "filestore", GET=file_details,
                 DELETE=delete_file),
        resource("/folder/{folder_id}/file/{file_id}/download", "filestore", GET=download_file),
    ]


def _store(runtime: Runtime) -> FileStore:
    if runtime.filestore is None:
        raise baas_errors.NOT_EMULATED(operation="File Store")
    return runtime.filestore


async def list_folders(request: Request, runtime: Runtime) -> Response:
    """GET /folder: every folder, without its files."""
    return success(await run_in_threadpool(_store(runtime).folders))


async def create_folder(request: Request, runtime: Runtime) -> Response:
    """POST /folder `{folder_name}`: a new folder (names are unique; there are no subfolders)."""
    body = await json_object(request)
    return success(await run_in_threadpool(_store(runtime).create_folder,
                                           body.get("folder_name")))


async def folder_details(request: Request, runtime: Runtime) -> Response:
    """GET /folder/{id}: the folder and its files in `file_details`."""
    return success(await run_in_threadpool(_store(runtime).folder,
                                           request.path_params["folder_id"]))


async def rename_folder(request: Request, runtime: Runtime) -> Response:
    """PUT /folder/{id} `{folder_name}`: renames the folder."""
    body = await json_object(request)
    return success(await run_in_threadpool(_store(runtime).rename_folder,
                                           request.path_params["folder_id"],
                                           body.get("folder_name")))


async def delete_folder(request: Request, runtime: Runtime) -> Response:
    """DELETE /folder/{id}: the folder and all its files."""
    return success(await run_in_threadpool(_store(runtime).delete_folder,
                                           request.path_params["folder_id"]))


async def file_details(request: Request, runtime: Runtime) -> Response:
    """GET /folder/{id}/file/{file_id}: one file's metadata."""
    return success(await run_in_threadpool(_store(runtime).file, request.path_params["folder_id"],
                                           request.path_params["file_id"]))


async def delete_file(request: Request, runtime: Runtime) -> Response:
    """DELETE /folder/{id}/file/{file_id}: removes the file. Fires no event, like the cloud."""
    return success(await run_in_threadpool(_store(runtime).delete_file,
                                           request.path_params["folder_id"],
                                           request.path_params["file_id"]))


async def download_file(request: Request, runtime: Runtime) -> Response:
    """GET .../download: the raw bytes as application/octet-stream, streamed from disk."""
    _, handle = await run_in_threadpool(_store(runtime).open_file,
                                        request.path_params["folder_id"],
                                        request.path_params["file_id"])
    size = os.fstat(handle.fileno()).st_size
    return StreamingResponse(_read_chunks(handle), media_type="application/octet-stream",
                             headers={"Content-Length": str(size)})


async def upload_file(request: Request, runtime: Runtime) -> Response:
    """POST /folder/{id}/file, multipart `file_name` + `code`: stores the file atomically.

    Mirrors the cloud's 100 MB cap (`settings.file_max_bytes`), checked while the bytes stream
    in. An upload that fails or is cut off leaves nothing behind. Fires the Filestore Upload
    event once the file is stored.
    """
    store = _store(runtime)
    chunks = request.stream()
    try:
        boundary = boundary_of(request.headers.get("content-type"))
        folder = await run_in_threadpool(store.folder, request.path_params["folder_id"],
                                         with_files=False)
        form = UploadForm(boundary, lambda: store.begin_upload(folder["id"]))
        try:
            await _feed(form, chunks)
            file_name = form.finish()
        except ClientDisconnect:
            form.abort()
            logger.info("Upload to folder %s abandoned: the client disconnected", folder["id"])
            raise errors.UPLOAD_INCOMPLETE() from None
        except BaseException:
            form.abort()
            raise
        assert form.upload is not None
        file = await run_in_threadpool(store.commit_upload, form.upload, folder["id"], file_name)
    except CatalystError:
        # Read the rest of the body before answering, or a client still sending it (as the
        # SDK does) sees a reset connection instead of the error.
        await _drain(chunks)
        raise

    if runtime.events is not None:
        runtime.events.emit(source="Filestore", action="Upload", entity_id=folder["id"],
                            entity_name=folder["folder_name"], data=file)
    return success(file)


async def _feed(form: UploadForm, chunks: AsyncIterator[bytes]) -> None:
    """Parses and writes each batch in a thread while the next one is being received.

    At most one batch is being written and one being collected, so memory stays at two
    batches whatever the file's size, and batches reach the parser in order.
    """
    writing: asyncio.Future[None] | None = None
    batch: list[bytes] = []
    batch_size = 0
    try:
        async for chunk in chunks:
            batch.append(chunk)
            batch_size += len(chunk)
            if batch_size >= _WRITE_BATCH_BYTES:
                if writing is not None:
                    await writing
                writing = asyncio.ensure_future(run_in_threadpool(_write_batch, form, batch))
                batch, batch_size = [], 0
        if writing is not None:
            await writing
            writing = None
        if batch:
            await run_in_threadpool(_write_batch, form, batch)
    finally:
        if writing is not None:
            # The body failed mid-way: let the write in flight end before the caller aborts
            # the upload, so the temp file is not closed under it. Its own error, if any, is
            # second to the one already on its way out.
            await asyncio.wait([writing])
            if not writing.cancelled():
                writing.exception()


def _write_batch(form: UploadForm, batch: list[bytes]) -> None:
    for chunk in batch:
        form.write(chunk)


async def _drain(chunks: AsyncIterator[bytes]) -> None:
    try:
        async for _ in chunks:
            pass
    except ClientDisconnect:
        pass


def _read_chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(_READ_CHUNK_BYTES):
            yield chunk
