"""The admin API: status, functions and their logs, rules, imports, sandbox records, reset.

Paths are full (`/_catalyst_local/...`), since the Event Listener's admin routes share the
prefix. Cache and File Store routes are in `storage_routes`.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from catalyst_local.admin import overview, storage_routes
from catalyst_local.admin.imports import imports
from catalyst_local.admin.log_lines import LineNumbers
from catalyst_local.admin.lookup import UnknownName, error, find
from catalyst_local.admin.masking import Masker
from catalyst_local.admin.reset import reset
from catalyst_local.runtime import Runtime
from catalyst_local.zoho.metadata import MODULES

PREFIX = "/_catalyst_local"


def routes() -> list[BaseRoute]:
    line_numbers = LineNumbers()

    async def function_logs(request: Request) -> Response:
        """Lines after `?since=<line no>` (all kept lines without it), oldest first."""
        runtime = _runtime(request)
        name = request.path_params["name"]
        since = _int_param(request, "since", 0)
        if since is None or since < 0:
            return error(400, "since must be a whole number of lines")
        try:
            find("function", name, overview.function_names(runtime))
        except UnknownName as unknown:
            return unknown.response()
        assert runtime.functions is not None
        masker = Masker(runtime)
        lines = line_numbers.numbered(name, runtime.functions.logs(name))
        last = lines[-1]["no"] if lines else since
        return JSONResponse({"function": name, "last": max(last, since),
                             "lines": [{**line, "line": masker.text(line["line"])}
                                       for line in lines if line["no"] > since]})

    return [
        Route(f"{PREFIX}/status", status, methods=["GET"]),
        Route(f"{PREFIX}/functions", list_functions, methods=["GET"]),
        Route(f"{PREFIX}/functions/{{name}}", get_function, methods=["GET"]),
        Route(f"{PREFIX}/functions/{{name}}/logs", function_logs, methods=["GET"]),
        Route(f"{PREFIX}/rules", list_rules, methods=["GET"]),
        Route(f"{PREFIX}/imports", list_imports, methods=["GET"]),
        Route(f"{PREFIX}/zoho/records", zoho_records, methods=["GET"]),
        Route(f"{PREFIX}/reset", reset_all, methods=["POST"]),
        *storage_routes.routes(PREFIX),
    ]


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def _int_param(request: Request, name: str, default: int | None) -> int | None:
    """A whole-number query parameter, `default` when absent, -1 when it is not one."""
    value = request.query_params.get(name)
    if value is None:
        return default
    return int(value) if value.isascii() and value.isdigit() else -1


async def status(request: Request) -> Response:
    """The server at a glance: what `catalyst-local status` prints."""
    return JSONResponse(await run_in_threadpool(overview.status, _runtime(request)))


async def list_functions(request: Request) -> Response:
    runtime = _runtime(request)
    return JSONResponse({"functions": [overview.function(runtime, name)
                                       for name in overview.function_names(runtime)]})


async def get_function(request: Request) -> Response:
    try:
        return JSONResponse(overview.function(_runtime(request), request.path_params["name"]))
    except UnknownName as unknown:
        return unknown.response()


async def list_rules(request: Request) -> Response:
    return JSONResponse({"rules": overview.rules(_runtime(request))})


async def list_imports(request: Request) -> Response:
    """Import records from the Default segment, and every sandbox bulk write job."""
    runtime = _runtime(request)
    found = await run_in_threadpool(imports, runtime)
    jobs = runtime.sandbox.jobs() if runtime.sandbox else []
    return JSONResponse({"imports": found, "jobs": jobs})


async def zoho_records(request: Request) -> Response:
    """`?module=Leads[&limit=50]`: a sandbox module's records (all, or the first `limit`),
    oldest first, and how many it has."""
    runtime = _runtime(request)
    module = request.query_params.get("module", "")
    limit = _int_param(request, "limit", None)
    if limit is not None and limit < 1:
        return error(400, "limit must be a positive whole number")
    try:
        find("module", module, MODULES)
    except UnknownName as unknown:
        return unknown.response()
    records = await run_in_threadpool(runtime.sandbox.records, module)
    return JSONResponse({"module": module, "total": len(records), "records": records[:limit]})


async def reset_all(request: Request) -> Response:
    """Wipes keys, files, events, sandbox records and jobs; provisioned things stay."""
    return JSONResponse({"removed": await run_in_threadpool(reset, _runtime(request))})
