"""A Zoho sandbox served by uvicorn on 127.0.0.1 for each test, with a movable clock."""

from __future__ import annotations

import contextlib
import io
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from catalyst_local.baas.credentials import Credentials
from catalyst_local.project import Project
from catalyst_local.runtime import Runtime
from catalyst_local.settings import Settings
from catalyst_local.zoho.sandbox import ZohoSandbox


class Clock:
    """Wall-clock time plus an offset that tests move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def make_runtime(data_dir: Path) -> Runtime:
    project = Project(root=data_dir, name="zoho_tests", functions={}, folders=[], segments=[],
                      rules=[])
    # The sandbox never reads the Catalyst credentials; fixed values keep the runtime minimal.
    credentials = Credentials(project_id="1000000000001", project_key="10000000001",
                              project_domain="zoho-tests.development.catalystserverless.com",
                              environment="Development", admin_token="1000.a.b",
                              user_token="1000.c.d")
    return Runtime(project=project, settings=Settings(), data_dir=data_dir,
                   credentials=credentials)


@contextlib.contextmanager
def serve(sandbox: ZohoSandbox) -> Iterator[str]:
    @contextlib.asynccontextmanager
    async def lifespan(app):
        await sandbox.start()
        yield
        await sandbox.stop()

    app = Starlette(routes=[Mount("/zoho", routes=sandbox.routes())], lifespan=lifespan)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sandbox.runtime.base_url = base
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on",
                                           timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def make_zip(files: dict[str, str | bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def csv_zip(text: str | bytes, name: str = "leads.csv") -> bytes:
    return make_zip({name: text})


@dataclass
class Zoho:
    """A client of one sandbox, speaking to it as the importer would."""

    base: str
    sandbox: ZohoSandbox
    clock: Clock
    http: httpx.Client
    tokens: dict[str, str] = field(default_factory=dict)

    def url(self, path: str, dc: str = "com") -> str:
        return f"{self.base}/zoho/{dc}{path}"

    def token_call(self, dc: str = "com", **params: str) -> httpx.Response:
        return self.http.post(self.url("/accounts/oauth/v2/token", dc), data=params)

    def refresh(self, dc: str = "com") -> httpx.Response:
        client = self.sandbox.client(dc)
        return self.token_call(dc, grant_type="refresh_token",
                               refresh_token=self.sandbox.refresh_token(dc), **client)

    def access_token(self, dc: str = "com") -> str:
        answer = self.refresh(dc).json()
        return answer["access_token"]

    def auth(self, token: str | None = None, dc: str = "com") -> dict[str, str]:
        """The Authorization header; without a token, one cached per DC (refreshing for every
        call would hit the throttle, as it would against Zoho)."""
        if token is None:
            if dc not in self.tokens:
                self.tokens[dc] = self.access_token(dc)
            token = self.tokens[dc]
        return {"Authorization": f"Zoho-oauthtoken {token}"}

    def upload(self, content: bytes, filename: str = "leads.zip",
               headers: dict[str, str] | None = None, dc: str = "com") -> httpx.Response:
        org = next(org for org in self.sandbox.orgs() if org.dc == dc)
        sent = {**self.auth(dc=dc), "feature": "bulk-write", "X-CRM-ORG": org.zgid,
                **(headers or {})}
        return self.http.post(self.url("/upload/crm/v8/upload", dc), headers=sent,
                              files={"file": (filename, content, "application/zip")})

    def file_id(self, csv_text: str | bytes, name: str = "leads.csv") -> str:
        answer = self.upload(csv_zip(csv_text, name))
        assert answer.status_code == 200, answer.text
        return answer.json()["details"]["file_id"]

    def create_job(self, body: dict[str, Any], token: str | None = None) -> httpx.Response:
        return self.http.post(self.url("/api/crm/bulk/v8/write"), json=body,
                              headers=self.auth(token))

    def job(self, job_id: str, token: str | None = None) -> httpx.Response:
        return self.http.get(self.url(f"/api/crm/bulk/v8/write/{job_id}"),
                             headers=self.auth(token))

    def run(self, module: str, csv_text: str | bytes, operation: str = "insert",
            name: str = "leads.csv", **resource: Any) -> dict[str, Any]:
        """Uploads, creates the job, finishes it now and answers its details."""
        body = {"operation": operation,
                "resource": [{"type": "data", "module": {"api_name": module},
                              "file_id": self.file_id(csv_text, name), **resource}]}
        created = self.create_job(body)
        assert created.status_code == 201, created.text
        job_id = created.json()["details"]["id"]
        self.http.post(f"{self.base}/zoho/_sandbox/jobs/advance").raise_for_status()
        return self.job(job_id).json()

    def result_rows(self, details: dict[str, Any]) -> tuple[str, list[list[str]]]:
        import csv

        answer = self.http.get(details["result"]["download_url"], headers=self.auth())
        assert answer.status_code == 200, answer.text
        with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
            (name,) = archive.namelist()
            text = archive.read(name).decode("utf-8")
        return name, list(csv.reader(io.StringIO(text, newline="")))

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, f"{self.base}/zoho/_sandbox{path}", **kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(tmp_path: Path, clock: Clock) -> Iterator[ZohoSandbox]:
    box = ZohoSandbox(make_runtime(tmp_path), clock=clock)
    box.provision()
    yield box
    box.close()


@pytest.fixture
def zoho(sandbox: ZohoSandbox, clock: Clock) -> Iterator[Zoho]:
    with serve(sandbox) as base, httpx.Client(timeout=30, trust_env=False) as http:
        yield Zoho(base, sandbox, clock, http)
