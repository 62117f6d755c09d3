"""Throwaway Catalyst projects and a real server on 127.0.0.1 for the hosting tests.

tests/gateway and tests/events import it too (their conftest.py puts this folder on sys.path).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import textwrap
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from catalyst_local.baas.credentials import Credentials
from catalyst_local.events import routes as event_routes
from catalyst_local.events.bus import EventBus
from catalyst_local.functions.host import FunctionHost
from catalyst_local.gateway import routes as gateway_routes
from catalyst_local.project import load_project
from catalyst_local.runtime import Runtime
from catalyst_local.settings import Settings


@dataclass
class FunctionSpec:
    type: str
    code: str
    env: dict[str, Any] = field(default_factory=dict)
    main: str = "main.py"


def write_project(root: Path, functions: dict[str, FunctionSpec], *,
                  rules: list[dict[str, Any]] | None = None, segments: list[str] = (),
                  folders: list[str] = (), settings: dict[str, Any] | None = None) -> Path:
    """Writes catalyst.json and one folder per function; returns the project folder."""
    root.mkdir(parents=True, exist_ok=True)
    for name, spec in functions.items():
        folder = root / "functions" / name
        folder.mkdir(parents=True, exist_ok=True)
        config = {"deployment": {"name": name, "stack": "python_3_11", "type": spec.type,
                                 "env_variables": spec.env},
                  "execution": {"main": spec.main}}
        (folder / "catalyst-config.json").write_text(json.dumps(config))
        (folder / spec.main).write_text(textwrap.dedent(spec.code))
    components = {"Cache": [{"type": "segment", "name": name} for name in segments],
                  "Filestore": [{"type": "folder", "name": name} for name in folders],
                  "EventListener": rules or []}
    catalyst = {"functions": {"targets": list(functions), "source": "functions"},
                "catalyst_local": {"project": {"name": "demo"}, "components": components,
                                   "settings": settings or {}}}
    (root / "catalyst.json").write_text(json.dumps(catalyst))
    return root


def make_runtime(root: Path) -> Runtime:
    """A Runtime for the project at `root`; its data folder keeps the same identity across
    restarts, as `catalyst-local serve` does."""
    project = load_project(root)
    data_dir = root / ".catalyst-local"
    return Runtime(project=project,
                   settings=Settings.from_project(project.settings, root / "catalyst.json"),
                   data_dir=data_dir,
                   credentials=Credentials.load_or_create(data_dir, project.name))


@contextlib.asynccontextmanager
async def hosted(runtime: Runtime, *, watch: bool = False,
                 events: bool = False) -> AsyncIterator[Runtime]:
    """Runs the function host (and the Event Listener) on the current event loop."""
    if not runtime.base_url:
        runtime.base_url = "http://127.0.0.1:9"  # never dialled by these functions
    runtime.functions = FunctionHost(runtime, watch=watch)
    await runtime.functions.start()
    if events:
        runtime.events = EventBus(runtime, runtime.data_dir / "events.sqlite3")
        await runtime.events.start()
    try:
        yield runtime
    finally:
        if runtime.events is not None:
            await runtime.events.stop()
            runtime.events.close()
            runtime.events = None
        await runtime.functions.stop()
        runtime.functions = None


class Served:
    """A uvicorn server in a thread, on a socket bound before it starts."""

    def __init__(self, runtime: Runtime, server: uvicorn.Server, thread: threading.Thread):
        self.runtime, self._server, self._thread = runtime, server, thread
        self.loop: asyncio.AbstractEventLoop | None = None

    @property
    def url(self) -> str:
        return self.runtime.base_url

    def call(self, make: Callable[[], Any], timeout: float = 60) -> Any:
        """Runs a coroutine on the server's event loop and returns its result."""
        assert self.loop is not None
        future: Future[Any] = asyncio.run_coroutine_threadsafe(make(), self.loop)
        return future.result(timeout)


@contextlib.contextmanager
def served(runtime: Runtime, *, watch: bool = False, events: bool = False) -> Iterator[Served]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    runtime.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    holder: dict[str, Served] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        holder["served"].loop = asyncio.get_running_loop()
        async with hosted(runtime, watch=watch, events=events):
            yield

    app = Starlette(routes=[*gateway_routes.routes(),
                            Mount("/_catalyst_local", routes=event_routes.routes())],
                    lifespan=lifespan)
    app.state.runtime = runtime
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_config=None,
                                           timeout_graceful_shutdown=5))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    holder["served"] = result = Served(runtime, server, thread)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        yield result
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def wait_for(predicate: Callable[[], Any], timeout: float = 20, what: str = "condition") -> Any:
    """Polls until `predicate()` is truthy and returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
