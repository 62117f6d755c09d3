"""The Cache REST API the official SDK calls, relative to `/baas/v1/project/{project_id}`.

`/cache` addresses the Default segment and `/segment/{segment_id}/cache` any other; reads and
deletes name the key in `?cacheKey=`, writes send `{cache_name, cache_value, expiry_in_hours}`.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from catalyst_local.baas import errors
from catalyst_local.baas.envelope import success
from catalyst_local.baas.routing import json_object, resource
from catalyst_local.cache.store import CacheStore
from catalyst_local.runtime import Runtime

# Starlette answers a method outside a route's list itself; every route takes them all instead.


def routes() -> list[BaseRoute]:
    keys = {"GET": get_key, "POST": put_key, "PUT": update_key, "DELETE": delete_key}
    return [
        resource("/segment", "cache", GET=list_segments),
        resource("/segment/{segment_id}", "cache", GET=segment_details),
        resource("/segment/{segment_id}/cache", "cache", **keys),
        resource("/cache", "cache", **keys),
    ]


def _store(runtime: Runtime) -> CacheStore:
    if runtime.cache is None:
        raise errors.NOT_EMULATED(operation="Cache")
    return runtime.cache


async def list_segments(request: Request, runtime: Runtime) -> Response:
    """GET /segment: the project's segments as `{id, segment_name}`, Default first."""
    store = _store(runtime)
    segments = await run_in_threadpool(store.segments)
    return success([segment.to_dict() for segment in segments])


async def segment_details(request: Request, runtime: Runtime) -> Response:
    """GET /segment/{id}: one segment with its `project_details`."""
    store = _store(runtime)
    return success(await run_in_threadpool(store.segment_details,
                                           request.path_params["segment_id"]))


async def put_key(request: Request, runtime: Runtime) -> Response:
    """POST: stores a key; fires the Cache Put event, as the cloud does on every put."""
    item = await _write(request, runtime, "put")
    _emit_put(runtime, item)
    return success(item)


async def update_key(request: Request, runtime: Runtime) -> Response:
    """PUT: rewrites a key; fires Put only when `cache_update_fires_put` says the cloud does."""
    item = await _write(request, runtime, "update")
    if runtime.settings.cache_update_fires_put:
        _emit_put(runtime, item)
    return success(item)


async def get_key(request: Request, runtime: Runtime) -> Response:
    """GET ?cacheKey=: the key's item (see CacheStore.get for missing keys)."""
    store = _store(runtime)
    segment_id = request.path_params.get("segment_id")
    return success(await run_in_threadpool(store.get, segment_id,
                                           request.query_params.get("cacheKey")))


async def delete_key(request: Request, runtime: Runtime) -> Response:
    """DELETE ?cacheKey=: removes the key. Fires no event: the cloud's Cache emits Put only."""
    store = _store(runtime)
    segment_id = request.path_params.get("segment_id")
    return success(await run_in_threadpool(store.delete, segment_id,
                                           request.query_params.get("cacheKey")))


async def _write(request: Request, runtime: Runtime, operation: str) -> dict[str, Any]:
    store = _store(runtime)
    body = await json_object(request)
    segment_id = request.path_params.get("segment_id")
    write = store.put if operation == "put" else store.update
    return await run_in_threadpool(write, segment_id, body.get("cache_name"),
                                   body.get("cache_value"), body.get("expiry_in_hours"))


def _emit_put(runtime: Runtime, item: dict[str, Any]) -> None:
    # Synchronous on purpose: the event is on disk before the caller hears the put succeeded.
    if runtime.events is not None:
        segment = item["segment_details"]
        runtime.events.emit(source="Cache", action="Put", entity_id=segment["id"],
                            entity_name=segment["segment_name"], data=item)
