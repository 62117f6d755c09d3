"""`/server/<function>/...`: calls an Advanced I/O function, as Catalyst's gateway does.

The request body streams to the function's worker and the answer streams back, so neither is
held in memory. The platform's `x-zc-*` headers are added (a caller's own are dropped). A worker
that does not answer within settings.advancedio_timeout_ms gets the caller a 504; a worker that
is not running, the Catalyst CLI's 503.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import time
import uuid
from collections.abc import AsyncIterator

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from catalyst_local.functions.host import FunctionHost
from catalyst_local.functions.process import STARTING, WorkerProcess
from catalyst_local.gateway import upstream
from catalyst_local.gateway.forwarding import (
    MAX_REQUEST_HEADER_BYTES,
    MAX_REQUEST_HEADERS,
    function_path,
    headers_too_large,
    named_function,
    request_headers,
    response_headers,
)
from catalyst_local.runtime import Runtime

logger = logging.getLogger("catalyst_local.gateway")
access_logger = logging.getLogger("catalyst_local.access")

REQUEST_ID_HEADER = "x-catalyst-local-request-id"
NOT_CONNECTED = "Error connecting with the function"


# What a function can be called with; OPTIONS reaches the worker, where Flask answers it.
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def routes() -> list[BaseRoute]:
    return [Route("/server/{function}", call_function, methods=METHODS),
            Route("/server/{function}/{path:path}", call_function, methods=METHODS)]


class BodyTooLarge(Exception):
    pass


class _Call:
    """One call through the gateway: its id, its clock and its access log line."""

    def __init__(self, request: Request, function: str):
        self.request, self.function = request, function
        self.id = str(uuid.uuid4())
        self.started = time.monotonic()

    def finish(self, status: int, worker: WorkerProcess | None = None,
               error: str | None = None) -> None:
        elapsed_ms = (time.monotonic() - self.started) * 1000
        access_logger.info("%s %s %d %.0fms %s", self.request.method, self.request.url.path,
                           status, elapsed_ms, self.id)
        if worker is not None:
            worker.records.add_invocation(self.request.url.path, status, elapsed_ms, error)

    def answer(self, status: int, message: str, worker: WorkerProcess | None = None) -> Response:
        self.finish(status, worker, None if status < 400 else message)
        return JSONResponse({"data": message}, status_code=status,
                            headers={REQUEST_ID_HEADER: self.id})


async def call_function(request: Request) -> Response:
    """Forwards one request to the named Advanced I/O function."""
    runtime: Runtime = request.app.state.runtime
    name = named_function(request.scope["raw_path"])
    call = _Call(request, name or "")
    if name is None:
        return call.answer(404, "This path names no function: /server/<function>/...")

    function = runtime.project.functions.get(name)
    if function is None:
        return call.answer(404, _unknown_function(name, runtime))
    if function.type != "advancedio":
        return call.answer(404, f"Function {name} is an event function; event functions "
                                "cannot be invoked by URL")
    host: FunctionHost | None = runtime.functions
    worker = host.worker(name) if host is not None else None
    if host is None or worker is None:
        return call.answer(503, NOT_CONNECTED)
    timeout_ms = runtime.settings.advancedio_timeout_ms
    if worker.state == STARTING:
        await worker.wait_settled(timeout_ms / 1000)
    if not worker.is_up:
        return call.answer(503, NOT_CONNECTED, worker)

    if headers_too_large(request.headers.raw):
        return call.answer(431, f"The request's headers are over {MAX_REQUEST_HEADER_BYTES} "
                                f"bytes or {MAX_REQUEST_HEADERS} lines", worker)
    max_bytes = runtime.settings.gateway_max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        return call.answer(413, _too_large(max_bytes), worker)
    has_body = declared is not None or "transfer-encoding" in request.headers
    target = function_path(request.scope["raw_path"], request.scope["query_string"])
    headers = request_headers(request.headers.items(),
                              runtime.credentials.function_headers(call.id),
                              default_host=_front_host(request))
    body = _limited(request.stream(), max_bytes) if has_body else None

    async def call_worker() -> upstream.UpstreamResponse:
        # Waiting for a free connection counts against the timeout, as the run itself does.
        await worker.call_slots.acquire()
        try:
            return await upstream.exchange(worker.port, request.method, target, headers, body,
                                           chunked=has_body and declared is None)
        except BaseException:
            worker.call_slots.release()
            raise

    try:
        response = await asyncio.wait_for(call_worker(), timeout_ms / 1000)
    except TimeoutError:
        # TODO: the cloud ends a run that overstays its timeout; here the handler's thread in
        # the worker keeps running until it returns.
        return call.answer(504, f"Function {name} timed out after {timeout_ms} ms", worker)
    except BodyTooLarge:
        return call.answer(413, _too_large(max_bytes), worker)
    except ClientDisconnect:
        # The caller left mid-body: the worker saw a truncated request and nobody waits for an
        # answer. 499 is what the access log shows (nginx's "client closed request").
        call.finish(499, worker, "the client disconnected before sending the whole body")
        return Response(status_code=499)
    except upstream.WorkerUnreachable:
        return call.answer(503, NOT_CONNECTED, worker)
    except upstream.WorkerHungUp as exc:
        logger.error("Function %s ended without answering request %s: %s", name, call.id, exc)
        return call.answer(502, f"Function {name} ended without answering", worker)
    return _Relayed(response, call, worker)


class _Relayed(StreamingResponse):
    """The worker's answer streamed to the caller. However the relay ends (done, the caller
    gone, the worker gone), the worker's connection is closed, its slot freed and the call
    logged, exactly once."""

    def __init__(self, response: upstream.UpstreamResponse, call: _Call, worker: WorkerProcess):
        super().__init__(_relay(response, call), status_code=response.status_code)
        self.raw_headers = [*response_headers(response.raw_headers),
                            (REQUEST_ID_HEADER.encode(), call.id.encode())]
        self._upstream, self._call, self._worker = response, call, worker

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._upstream.close()
            self._worker.call_slots.release()
            self._call.finish(self._upstream.status_code, self._worker)


async def _limited(chunks: AsyncIterator[bytes], max_bytes: int) -> AsyncIterator[bytes]:
    total = 0
    async for chunk in chunks:
        total += len(chunk)
        if total > max_bytes:
            raise BodyTooLarge()
        if chunk:
            yield chunk


async def _relay(response: upstream.UpstreamResponse, call: _Call) -> AsyncIterator[bytes]:
    # TODO: the cloud's timeout covers the whole run; here it stops at the response headers, and
    # a body the handler streams afterwards may take as long as it likes.
    try:
        async for chunk in response.body():
            yield chunk
    except upstream.WorkerHungUp as exc:
        logger.error("Function %s stopped mid-answer to request %s: %s", call.function, call.id,
                     exc)
        raise


def _front_host(request: Request) -> str:
    host, port = request.scope.get("server") or ("127.0.0.1", None)
    return f"{host}:{port}" if port else str(host)


def _unknown_function(name: str, runtime: Runtime) -> str:
    message = f"No function named {name} in this project"
    close = difflib.get_close_matches(name, list(runtime.project.functions), n=1, cutoff=0.6)
    return f"{message}; did you mean {close[0]}?" if close else message


def _too_large(max_bytes: int) -> str:
    return f"The request body is larger than {max_bytes} bytes (gateway_max_body_bytes)"
