"""A real server for the Cache and File Store APIs, and the official SDK pointed at it.

One uvicorn server on 127.0.0.1 serves the whole test session, because the SDK reads its
console URL once, when it is imported. Each test gets a fresh Runtime (its own data directory,
credentials and settings) swapped into that server.
"""

from __future__ import annotations

import importlib
import itertools
import os
import secrets
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from catalyst_local.baas.credentials import Credentials, write_private_json
from catalyst_local.cache.routes import routes as cache_routes
from catalyst_local.cache.store import CacheStore
from catalyst_local.filestore.routes import routes as filestore_routes
from catalyst_local.filestore.store import FileStore
from catalyst_local.project import Project
from catalyst_local.runtime import Runtime
from catalyst_local.settings import Settings

PROJECT_NAME = "LocalProject"
FOLDERS = ["CrmFiles", "Reports"]
SEGMENTS = ["CrmFiles", "Sessions"]

_app_names = itertools.count()


@dataclass
class EventRecorder:
    """Stands in for the Event Listener bus: keeps every emitted event, in order."""

    events: list[dict[str, Any]] = field(default_factory=list)

    def emit(self, source: str, action: str, entity_id: str, entity_name: str,
             data: dict[str, Any]) -> list[str]:
        self.events.append({"source": source, "action": action, "entity_id": entity_id,
                            "entity_name": entity_name, "data": data})
        return []


class ComponentsServer:
    """uvicorn in a thread on a pre-bound 127.0.0.1 socket, serving `app.state.runtime`."""

    def __init__(self) -> None:
        self.app = Starlette(routes=[
            Mount("/baas/v1/project/{project_id}", routes=cache_routes() + filestore_routes()),
        ])
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off",
                                timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._socket]}, daemon=True)

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the components server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


def write_credentials(data_dir: Path) -> None:
    """A data directory that already holds its credentials, as after a first start."""
    suffix = secrets.token_hex(3)
    write_private_json(data_dir / "credentials.json", {
        "project_id": "4" + "".join(str(secrets.randbelow(10)) for _ in range(15)),
        "project_key": "5" + "".join(str(secrets.randbelow(10)) for _ in range(10)),
        "project_domain": f"localproject-{suffix}.development.catalystserverless.com",
        "environment": "Development",
        "admin_token": f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}",
        "user_token": f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}",
    })


def make_runtime(root: Path, settings: Settings | None = None) -> Runtime:
    """A Runtime with the project's declared folders and segments provisioned."""
    data_dir = root / "data"
    write_credentials(data_dir)
    project = Project(root=root, name=PROJECT_NAME, functions={}, folders=list(FOLDERS),
                      segments=list(SEGMENTS), rules=[])
    runtime = Runtime(project=project, settings=settings or Settings(), data_dir=data_dir,
                      credentials=Credentials.load_or_create(data_dir, PROJECT_NAME))
    runtime.cache = CacheStore(data_dir / "cache", runtime)
    runtime.cache.provision(project.segments)
    runtime.filestore = FileStore(data_dir / "filestore", runtime)
    runtime.filestore.provision(project.folders)
    runtime.events = EventRecorder()  # type: ignore[assignment]
    return runtime


def close_runtime(runtime: Runtime) -> None:
    if runtime.cache is not None:
        runtime.cache.close()
    if runtime.filestore is not None:
        runtime.filestore.close()


def import_sdk(console_url: str) -> Any:
    """`zcatalyst_sdk`, reading `console_url` as its console.

    The SDK reads X_ZOHO_CATALYST_CONSOLE_URL when it is first imported. If something in this
    process imported it earlier, its settings modules are imported again so that they read the
    variable now, exactly as a fresh import would.
    """
    os.environ["X_ZOHO_CATALYST_CONSOLE_URL"] = console_url
    os.environ.pop("X_ZOHO_CATALYST_IS_LOCAL", None)
    import zcatalyst_sdk

    constants = sys.modules["zcatalyst_sdk._constants"]
    if constants.APP_DOMAIN != console_url or constants.IS_LOCAL == "true":
        importlib.reload(constants)
        importlib.reload(sys.modules["zcatalyst_sdk._http_client"])
    return zcatalyst_sdk


@dataclass
class Components:
    """What a test works with: the runtime behind the server, its events, and the SDK."""

    runtime: Runtime
    url: str
    sdk: Any

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.runtime.events.events  # type: ignore[union-attr]

    @property
    def base(self) -> str:
        return f"{self.url}/baas/v1/project/{self.runtime.credentials.project_id}"

    def admin_headers(self) -> dict[str, str]:
        return {"Authorization": f"Zoho-oauthtoken {self.runtime.credentials.admin_token}"}

    def app(self, scope: str | None = None, headers: dict[str, str] | None = None) -> Any:
        """The SDK initialised as inside a function: from the x-zc-* headers on this thread."""
        headers = headers or self.runtime.credentials.function_headers("req-1")
        setattr(threading.current_thread(), "__zc_local", {"catalyst_headers": headers})
        return self.sdk.initialize(name="components-test", scope=scope)

    def admin_app(self) -> Any:
        """The SDK initialised from outside a function, with the admin token."""
        credentials = self.runtime.credentials
        from zcatalyst_sdk.credentials import AccessTokenCredential

        # initialize_app refuses a name already used on this thread.
        name = f"components-admin-{next(_app_names)}"
        return self.sdk.initialize_app(
            credential=AccessTokenCredential({"access_token": credentials.admin_token}),
            options={"project_id": credentials.project_id,
                     "project_key": credentials.project_key,
                     "project_domain": credentials.project_domain,
                     "environment": credentials.environment},
            name=name)


@pytest.fixture(scope="session")
def components_server() -> Iterator[ComponentsServer]:
    saved = {key: os.environ.get(key)
             for key in ("X_ZOHO_CATALYST_CONSOLE_URL", "X_ZOHO_CATALYST_IS_LOCAL")}
    server = ComponentsServer()
    server.start()
    yield server
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def settings() -> Settings:
    """The settings of the test's runtime; override this fixture to change them."""
    return Settings()


@pytest.fixture
def components(components_server: ComponentsServer, tmp_path: Path,
               settings: Settings) -> Iterator[Components]:
    runtime = make_runtime(tmp_path, settings)
    components_server.app.state.runtime = runtime
    sdk = import_sdk(components_server.url)
    yield Components(runtime=runtime, url=components_server.url, sdk=sdk)
    if hasattr(threading.current_thread(), "__zc_local"):
        delattr(threading.current_thread(), "__zc_local")
    close_runtime(runtime)
