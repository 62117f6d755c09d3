"""Assembles a Runtime and the one ASGI app that serves every part of the emulator.

    /baas/v1/project/{project_id}/...   Cache and File Store, the REST API the SDK speaks
    /server/{function}/...              the gateway to Advanced I/O functions
    /zoho/...                           the embedded Zoho sandbox (Accounts and CRM)
    /_catalyst_local/...                health, and the admin API the CLI and console use
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from catalyst_local.admin import routes as admin_routes
from catalyst_local.admin.guard import AdminGuard
from catalyst_local.admin.masking import is_secret_name
from catalyst_local.baas import errors
from catalyst_local.baas.credentials import Credentials
from catalyst_local.baas.envelope import failure
from catalyst_local.cache import routes as cache_routes
from catalyst_local.cache.store import CacheStore
from catalyst_local.console import routes as console_routes
from catalyst_local.events import routes as event_routes
from catalyst_local.events.bus import EventBus
from catalyst_local.filestore import routes as filestore_routes
from catalyst_local.filestore.store import FileStore
from catalyst_local.functions.host import FunctionHost
from catalyst_local.gateway import routes as gateway_routes
from catalyst_local.logs import redactor
from catalyst_local.project import Project
from catalyst_local.runtime import Runtime
from catalyst_local.settings import Settings
from catalyst_local.wiring import provision_wiring
from catalyst_local.zoho.sandbox import ZohoSandbox

logger = logging.getLogger("catalyst_local.server")


def open_runtime(project: Project, data_dir: Path, base_url: str) -> Runtime:
    """Creates (or reopens) every component's state under `data_dir` and provisions what the
    project declares."""
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_project(project.settings, project.root / "catalyst.json")
    credentials = Credentials.load_or_create(data_dir, project.name)
    redactor.register(credentials.admin_token, credentials.user_token)

    runtime = Runtime(project=project, settings=settings, data_dir=data_dir,
                      credentials=credentials, base_url=base_url)
    runtime.cache = CacheStore(data_dir / "cache", runtime)
    runtime.cache.provision(project.segments)
    runtime.filestore = FileStore(data_dir / "filestore", runtime)
    runtime.filestore.provision(project.folders)
    runtime.events = EventBus(runtime, data_dir / "events.sqlite3")
    runtime.sandbox = ZohoSandbox(runtime)
    runtime.sandbox.provision()
    runtime.wiring = provision_wiring(runtime)
    for name in project.functions:
        redactor.register(*(value for key, value in runtime.env_for(name).items()
                            if is_secret_name(key)))
    runtime.functions = FunctionHost(runtime)
    return runtime


async def health(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    assert runtime.functions is not None
    ready = runtime.functions.is_ready()
    body = {"status": "ready" if ready else "starting", "functions": runtime.functions.status()}
    return JSONResponse(body, status_code=200 if ready else 503)


async def unknown_baas_path(request: Request) -> Response:
    return failure(errors.INVALID_URL(path=request.url.path))


async def http_error(request: Request, exc: Exception) -> Response:
    """Paths and methods nothing serves still answer with the failure envelope, not bare text."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        error = errors.INVALID_REQUEST_METHOD(method=request.method, path=request.url.path)
    elif exc.status_code == 404:
        error = errors.NOT_SERVED(path=request.url.path)
    else:
        error = errors.CatalystError(exc.status_code, "INVALID_REQUEST", str(exc.detail))
    return failure(error)


def build_app(runtime: Runtime, on_ready: Callable[[], None] | None = None) -> Starlette:
    assert runtime.sandbox is not None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        assert runtime.events and runtime.functions and runtime.sandbox
        await runtime.sandbox.start()
        await runtime.functions.start()
        await runtime.events.start()
        if on_ready is not None:
            on_ready()
        try:
            yield
        finally:
            await runtime.events.stop()
            await runtime.functions.stop()
            await runtime.sandbox.stop()

    baas_routes = [*cache_routes.routes(), *filestore_routes.routes(),
                   Route("/{rest:path}", unknown_baas_path,
                         methods=["GET", "POST", "PUT", "PATCH", "DELETE"])]
    routes = [
        Route("/_catalyst_local/health", health),
        # Before the Event Listener's mount, which takes every other /_catalyst_local path.
        *admin_routes.routes(),
        *console_routes.routes(),
        Mount("/_catalyst_local", routes=event_routes.routes()),
        Mount("/baas/v1/project/{project_id}", routes=baas_routes),
        *gateway_routes.routes(),
        Mount("/zoho", routes=runtime.sandbox.routes()),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: http_error})
    app.add_middleware(AdminGuard, base_url=lambda: runtime.base_url)
    app.state.runtime = runtime
    return app
