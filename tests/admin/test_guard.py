"""The guard in front of the admin API, the console and `/zoho/_sandbox`, called in-process.

The client address is only a value in the ASGI scope: no traffic leaves the process.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from catalyst_local.admin.guard import is_loopback
from catalyst_local.app import build_app, open_runtime
from catalyst_local.project import load_project
from tests.admin.served import build_project

BASE_URL = "http://127.0.0.1:8765"
NOT_LOCAL = {"error": "The catalyst-local admin endpoints answer only to clients on this machine"}
FOREIGN_ORIGIN = {"error": "The catalyst-local admin endpoints refuse requests from other web "
                           "origins"}
FOREIGN_HOST = {"error": "The catalyst-local admin endpoints answer only to a loopback host name"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("guard")
    runtime = open_runtime(load_project(build_project(root / "project")), root / "data",
                           BASE_URL)
    yield build_app(runtime)
    runtime.cache.close()
    runtime.filestore.close()
    runtime.events.close()
    runtime.sandbox.close()


def call(app, method: str, path: str, client=("127.0.0.1", 40000), base_url: str = BASE_URL,
         **kwargs) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
            return await http.request(method, path, **kwargs)

    return asyncio.run(go())


@pytest.mark.parametrize("path", ["/_catalyst_local/status", "/_catalyst_local/console",
                                  "/_catalyst_local/events", "/_catalyst_local/health",
                                  "/zoho/_sandbox", "/zoho/_sandbox/jobs"])
def test_a_client_off_this_machine_is_refused_everywhere_guarded(app, path):
    answer = call(app, "GET", path, client=("10.0.0.5", 1234))
    assert (answer.status_code, answer.json()) == (403, NOT_LOCAL)


def test_a_client_off_this_machine_cannot_reset(app):
    answer = call(app, "POST", "/_catalyst_local/reset", client=("10.0.0.5", 1234))
    assert (answer.status_code, answer.json()) == (403, NOT_LOCAL)


@pytest.mark.parametrize("client", [("127.0.0.1", 1), ("127.8.9.10", 2), ("::1", 3),
                                    ("::ffff:127.0.0.1", 4)])
def test_loopback_clients_are_answered(app, client):
    answer = call(app, "GET", "/_catalyst_local/status", client=client)
    assert answer.status_code == 200
    assert answer.json()["project"] == "demo"


def test_a_foreign_origin_is_refused(app):
    answer = call(app, "POST", "/_catalyst_local/reset", headers={"Origin": "http://evil.test"})
    assert (answer.status_code, answer.json()) == (403, FOREIGN_ORIGIN)


@pytest.mark.parametrize("origin", ["null", "http://127.0.0.1:9999", "http://localhost:8765"])
def test_any_origin_but_the_emulators_own_is_refused(app, origin):
    answer = call(app, "GET", "/zoho/_sandbox", headers={"Origin": origin})
    assert (answer.status_code, answer.json()) == (403, FOREIGN_ORIGIN)


def test_the_emulators_own_origin_is_let_through(app):
    answer = call(app, "GET", "/_catalyst_local/rules", headers={"Origin": BASE_URL})
    assert answer.status_code == 200
    assert [rule["name"] for rule in answer.json()["rules"]] == ["SessionPut", "ReportUpload"]


def test_a_page_on_another_host_name_is_refused_even_from_loopback(app):
    # What a DNS rebinding page sends: a loopback client, no Origin, its own host name.
    answer = call(app, "GET", "/_catalyst_local/status", base_url="http://rebind.test:8765")
    assert (answer.status_code, answer.json()) == (403, FOREIGN_HOST)


@pytest.mark.parametrize("host", ["localhost:8765", "[::1]:8765"])
def test_loopback_host_names_on_the_same_port_are_answered(app, host):
    answer = call(app, "GET", "/_catalyst_local/status", headers={"Host": host})
    assert answer.status_code == 200


def test_unguarded_paths_answer_any_client(app):
    answer = call(app, "GET", "/baas/v1/project/1/segment", client=("10.0.0.5", 1234))
    assert answer.status_code == 401
    assert answer.json()["data"]["error_code"] == "INVALID_TOKEN"


@pytest.mark.parametrize(("host", "expected"), [
    ("127.0.0.1", True), ("127.255.0.1", True), ("::1", True), ("::ffff:127.0.0.2", True),
    ("10.0.0.5", False), ("192.168.1.2", False), ("::ffff:10.0.0.5", False), ("testclient", False),
    ("", False), (None, False),
])
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected
