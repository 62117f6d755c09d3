"""How every `/baas/v1/project/{project_id}/...` endpoint checks its caller and answers errors."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from catalyst_local.baas import errors
from catalyst_local.baas.envelope import failure
from catalyst_local.baas.errors import CatalystError
from catalyst_local.runtime import Runtime

Endpoint = Callable[[Request, Runtime], Awaitable[Response]]

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

PROJECT_NOT_FOUND = errors.ErrorEntry(404, "INVALID_ID", "Invalid Project ID {project_id}")


def api(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    """Wraps an endpoint: credential check, project check, and errors as the failure envelope."""

    async def handle(request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        if not runtime.credentials.is_issued(request.headers.get("authorization")):
            return failure(errors.INVALID_TOKEN())
        project_id = request.path_params.get("project_id")
        if project_id != runtime.credentials.project_id:
            return failure(PROJECT_NOT_FOUND(project_id=project_id))
        try:
            return await endpoint(request, runtime)
        except CatalystError as error:
            return failure(error)

    handle.__name__ = endpoint.__name__
    return handle


async def json_object(request: Request) -> dict[str, Any]:
    """The request's JSON object body, or INVALID_INPUT."""
    try:
        body = json.loads(await request.body() or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise errors.INVALID_JSON() from None
    if not isinstance(body, dict):
        raise errors.INVALID_JSON()
    return body


def resource(path: str, component: str, **endpoints: Endpoint) -> Route:
    """One route for every method, so a method the cloud does not serve there still gets the
    failure envelope (405 INVALID_REQUEST_METHOD) rather than a bare 405."""

    async def dispatch(request: Request, runtime: Runtime) -> Response:
        endpoint = endpoints.get(request.method)
        if endpoint is None:
            raise errors.INVALID_REQUEST_METHOD(method=request.method, path=request.url.path)
        return await endpoint(request, runtime)

    dispatch.__name__ = f"{component} {path}"
    return Route(path, api(dispatch), methods=ALL_METHODS)
