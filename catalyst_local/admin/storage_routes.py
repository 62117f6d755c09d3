"""Admin routes for the Cache and File Store, addressed by segment and folder name.

Names travel in the query string (`?segment=`, `?folder=`), since a name may hold any character.
Writes go through the same stores as the SDK's API and fire the same events.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, BinaryIO

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from catalyst_local.admin.lookup import UnknownName, error, find
from catalyst_local.admin.masking import Masker
from catalyst_local.baas.errors import CatalystError
from catalyst_local.cache.store import DEFAULT_SEGMENT, CacheStore, Segment
from catalyst_local.filestore.store import FileStore
from catalyst_local.runtime import Runtime

READ_CHUNK_BYTES = 256 * 1024


def routes(prefix: str) -> list[BaseRoute]:
    return [
        Route(f"{prefix}/cache", list_segments, methods=["GET"]),
        Route(f"{prefix}/cache/keys", list_keys, methods=["GET"]),
        Route(f"{prefix}/cache/key", get_key, methods=["GET"]),
        Route(f"{prefix}/cache/key", put_key, methods=["PUT"]),
        Route(f"{prefix}/filestore", list_folders, methods=["GET"]),
        Route(f"{prefix}/filestore/files", list_files, methods=["GET"]),
        Route(f"{prefix}/filestore/file", download_file, methods=["GET"]),
        Route(f"{prefix}/filestore/file", upload_file, methods=["POST"]),
        Route(f"{prefix}/filestore/file", delete_file, methods=["DELETE"]),
    ]


def _answers_errors(endpoint: Callable[[Request, Runtime], Awaitable[Response]]
                    ) -> Callable[[Request], Awaitable[Response]]:
    """Turns lookups and store errors into the admin API's error body."""

    async def handle(request: Request) -> Response:
        try:
            return await endpoint(request, request.app.state.runtime)
        except UnknownName as unknown:
            return unknown.response()
        except CatalystError as failed:
            return error(failed.status, failed.message)

    handle.__name__ = endpoint.__name__
    handle.__doc__ = endpoint.__doc__
    return handle


# Cache

def _cache(runtime: Runtime) -> CacheStore:
    assert runtime.cache is not None
    return runtime.cache


def _segment(runtime: Runtime, request: Request) -> Segment:
    name = request.query_params.get("segment") or DEFAULT_SEGMENT
    segments = {segment.name: segment for segment in _cache(runtime).segments()}
    return segments[find("segment", name, segments)]


def _key_view(item: dict[str, Any], masker: Masker) -> dict[str, Any]:
    ttl = item["ttl_in_milliseconds"]
    return {"key": item["cache_name"], "value": masker.text(item["cache_value"]),
            "expiry_hours": int(item["expiry_in_hours"]), "expires_in": item["expires_in"],
            "ttl_ms": int(ttl), "segment": item["segment_details"]["segment_name"]}


@_answers_errors
async def list_segments(request: Request, runtime: Runtime) -> Response:
    cache = _cache(runtime)
    return JSONResponse({"segments": [{"id": s.id, "name": s.name,
                                       "keys": len(cache.entries(s.id))}
                                      for s in cache.segments()]})


@_answers_errors
async def list_keys(request: Request, runtime: Runtime) -> Response:
    """A segment's live keys with their values and time to expiry, sorted by key."""
    segment = _segment(runtime, request)
    masker = Masker(runtime)
    items = await run_in_threadpool(_cache(runtime).entries, segment.id)
    return JSONResponse({"segment": segment.name,
                         "keys": [_key_view(item, masker) for item in items]})


@_answers_errors
async def get_key(request: Request, runtime: Runtime) -> Response:
    segment = _segment(runtime, request)
    key = request.query_params.get("key", "")
    keys = {item["cache_name"]: item for item in _cache(runtime).entries(segment.id)}
    if key not in keys:
        return error(404, f"No key '{key}' in segment {segment.name}")
    return JSONResponse(_key_view(keys[key], Masker(runtime)))


@_answers_errors
async def put_key(request: Request, runtime: Runtime) -> Response:
    """JSON `{segment, key, value, expiry_hours}`: a put as the SDK makes it, Put event included."""
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return error(400, "The body must be a JSON object")
    name = body.get("segment") or DEFAULT_SEGMENT
    segments = {segment.name: segment for segment in _cache(runtime).segments()}
    segment = segments[find("segment", name, segments)]
    item = await run_in_threadpool(_cache(runtime).put, segment.id, body.get("key"),
                                   body.get("value"), body.get("expiry_hours"))
    if runtime.events is not None:
        runtime.events.emit(source="Cache", action="Put", entity_id=segment.id,
                            entity_name=segment.name, data=item)
    return JSONResponse(_key_view(item, Masker(runtime)))


# File Store

def _filestore(runtime: Runtime) -> FileStore:
    assert runtime.filestore is not None
    return runtime.filestore


def _folder(runtime: Runtime, request: Request) -> dict[str, Any]:
    name = request.query_params.get("folder", "")
    folders = {folder["folder_name"]: folder for folder in _filestore(runtime).folders()}
    return folders[find("folder", name, folders)]


def _file(runtime: Runtime, folder: dict[str, Any], wanted: str) -> dict[str, Any] | None:
    """A file by id, else the newest file with that name."""
    files = _filestore(runtime).files(folder["id"])
    by_id = [file for file in files if file["id"] == wanted]
    by_name = [file for file in files if file["file_name"] == wanted]
    return (by_id or by_name[-1:] or [None])[0]


def _requested_file(runtime: Runtime, request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
    """The folder and file a `?folder=&file=` request names; a 404 when the file is not there."""
    folder = _folder(runtime, request)
    wanted = request.query_params.get("file", "")
    file = _file(runtime, folder, wanted)
    if file is None:
        raise CatalystError(404, "NOT_FOUND",
                            f"No file '{wanted}' in folder {folder['folder_name']}")
    return folder, file


def _file_view(file: dict[str, Any]) -> dict[str, Any]:
    return {"id": file["id"], "name": file["file_name"], "size": int(file["file_size"]),
            "created_time": file["created_time"]}


@_answers_errors
async def list_folders(request: Request, runtime: Runtime) -> Response:
    store = _filestore(runtime)
    return JSONResponse({"folders": [{"id": f["id"], "name": f["folder_name"],
                                      "files": len(store.files(f["id"]))}
                                     for f in store.folders()]})


@_answers_errors
async def list_files(request: Request, runtime: Runtime) -> Response:
    folder = _folder(runtime, request)
    files = await run_in_threadpool(_filestore(runtime).files, folder["id"])
    return JSONResponse({"folder": folder["folder_name"],
                         "files": [_file_view(file) for file in files]})


@_answers_errors
async def download_file(request: Request, runtime: Runtime) -> Response:
    """`?folder=&file=<id or name>`: the bytes, streamed, under the file's name."""
    folder, file = _requested_file(runtime, request)
    _, handle = await run_in_threadpool(_filestore(runtime).open_file, folder["id"], file["id"])
    size = os.fstat(handle.fileno()).st_size
    quoted = file["file_name"].replace("\\", "_").replace('"', "_")
    disposition = f'attachment; filename="{quoted.encode("ascii", "replace").decode()}"'
    return StreamingResponse(_chunks(handle), media_type="application/octet-stream",
                             headers={"content-length": str(size),
                                      "content-disposition": disposition})


@_answers_errors
async def upload_file(request: Request, runtime: Runtime) -> Response:
    """`?folder=&name=` with the raw bytes as body: stored as an SDK upload is, with the
    Filestore Upload event."""
    folder = _folder(runtime, request)
    name = request.query_params.get("name", "")
    store = _filestore(runtime)
    upload = await run_in_threadpool(store.begin_upload, folder["id"])
    refused: CatalystError | None = None
    try:
        async for chunk in request.stream():
            # After a refusal the rest is still read, or a client still sending would see a
            # reset connection instead of the error.
            if chunk and refused is None:
                try:
                    await run_in_threadpool(upload.write, chunk)
                except CatalystError as too_large:
                    refused = too_large
    except ClientDisconnect:
        upload.abort()
        return error(400, "The upload ended before its body was complete")
    except BaseException:
        upload.abort()
        raise
    if refused is not None:
        upload.abort()
        raise refused
    file = await run_in_threadpool(store.commit_upload, upload, folder["id"], name)
    if runtime.events is not None:
        runtime.events.emit(source="Filestore", action="Upload", entity_id=folder["id"],
                            entity_name=folder["folder_name"], data=file)
    return JSONResponse(_file_view(file), status_code=201)


@_answers_errors
async def delete_file(request: Request, runtime: Runtime) -> Response:
    folder, file = _requested_file(runtime, request)
    deleted = await run_in_threadpool(_filestore(runtime).delete_file, folder["id"], file["id"])
    return JSONResponse(_file_view(deleted))


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(READ_CHUNK_BYTES):
            yield chunk
