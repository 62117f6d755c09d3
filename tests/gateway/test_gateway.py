"""The `/server/<function>` gateway: which calls reach a function and what they carry."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from urllib.parse import urlsplit

import httpx
import pytest
from function_harness import FunctionSpec, make_runtime, served, wait_for, write_project

from catalyst_local.functions.process import CONCURRENT_CALLS

ECHO = """
import hashlib
import threading
import time

running = {"now": 0, "most": 0}
lock = threading.Lock()


def slow():
    with lock:
        running["now"] += 1
        running["most"] = max(running["most"], running["now"])
    time.sleep(0.5)
    with lock:
        running["now"] -= 1
    return {"most_at_once": running["most"]}


def handler(request):
    if request.path == "/slow":
        return slow()
    digest, size = hashlib.sha256(), 0
    while chunk := request.stream.read(65536):
        digest.update(chunk)
        size += len(chunk)
    zc = {k: v for k, v in request.headers.items() if k.lower().startswith("x-zc-")}
    return {"path": request.path, "full_path": request.full_path, "size": size,
            "sha256": digest.hexdigest(), "zc": zc,
            "internal": request.headers.get("x-zoho-catalyst-internal"),
            "custom": request.headers.get("x-custom")}
"""
EVENT = """
def handler(event, context):
    pass
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("gateway")
    write_project(root, {"echo": FunctionSpec("advancedio", ECHO),
                         "listener": FunctionSpec("event", EVENT)},
                  settings={"gateway_max_body_bytes": 1000})
    with served(make_runtime(root)) as running:
        yield running


def test_an_unknown_function_is_a_404_that_suggests_the_closest_name(server):
    response = httpx.get(f"{server.url}/server/ecko/x", timeout=10)
    assert response.status_code == 404
    assert response.json() == {"data": "No function named ecko in this project; did you mean "
                                       "echo?"}
    far = httpx.get(f"{server.url}/server/zzzz", timeout=10)
    assert far.json() == {"data": "No function named zzzz in this project"}


def test_an_event_function_cannot_be_called_by_url(server):
    response = httpx.post(f"{server.url}/server/listener/", content=b"{}", timeout=10)
    assert response.status_code == 404
    assert response.json() == {"data": "Function listener is an event function; event "
                                       "functions cannot be invoked by URL"}


def test_a_callers_own_platform_headers_are_replaced(server):
    response = httpx.get(f"{server.url}/server/echo/a", timeout=10,
                         headers={"X-ZC-ProjectId": "1234", "x-zc-admin-cred-token": "forged",
                                  "x-zc-extra": "mine", "x-custom": "kept"})
    body = response.json()
    assert body["zc"]["X-Zc-Projectid"] == server.runtime.credentials.project_id
    assert body["zc"]["X-Zc-Admin-Cred-Token"] == server.runtime.credentials.admin_token
    assert "X-Zc-Extra" not in body["zc"]
    assert body["custom"] == "kept"


def test_a_caller_cannot_reach_the_workers_internal_probe(server):
    response = httpx.get(f"{server.url}/server/echo/ruok", timeout=10,
                         headers={"x-zoho-catalyst-internal": "true"})
    assert response.json()["path"] == "/ruok"
    assert response.json()["internal"] is None


def test_each_call_has_a_request_id_in_the_header_the_function_and_the_access_log(server,
                                                                                  caplog):
    caplog.set_level(logging.INFO, logger="catalyst_local.access")
    response = httpx.get(f"{server.url}/server/echo/users/42?token=abc", timeout=10)
    request_id = response.headers["x-catalyst-local-request-id"]
    assert response.json()["zc"]["X-Zc-Request-Uuid"] == request_id
    assert response.json()["full_path"] == "/users/42?token=abc"
    line = wait_for(lambda: [r for r in caplog.records if r.name == "catalyst_local.access"
                             and request_id in r.getMessage()], what="the access line")[0]
    method, path, status, elapsed, logged_id = line.getMessage().split(" ")
    assert (method, path, status, logged_id) == ("GET", "/server/echo/users/42", "200",
                                                 request_id)
    assert elapsed.endswith("ms")
    assert server.runtime.credentials.admin_token not in line.getMessage()


def test_a_chunked_body_streams_through(server):
    chunks = [b"a" * 300, b"b" * 300]
    response = httpx.post(f"{server.url}/server/echo/up", content=iter(chunks), timeout=10)
    assert response.json()["size"] == 600


def test_a_body_over_the_limit_is_refused_with_413(server):
    declared = httpx.post(f"{server.url}/server/echo/up", content=b"x" * 1001, timeout=10)
    assert declared.status_code == 413
    assert declared.json() == {"data": "The request body is larger than 1000 bytes "
                                       "(gateway_max_body_bytes)"}
    chunked = httpx.post(f"{server.url}/server/echo/up", content=iter([b"x" * 800] * 2),
                         timeout=10)
    assert chunked.status_code == 413


def test_a_caller_that_expects_100_continue_gets_it_and_its_body_through(server):
    # curl sends `Expect: 100-continue` before any upload over 1 MiB.
    address = urlsplit(server.url)
    body = b"z" * 600
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(f"POST /server/echo/up HTTP/1.1\r\nHost: {address.netloc}\r\n"
                     f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n".encode())
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n")
        sock.sendall(body)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.endswith(b"}\n"):
            received = sock.recv(65536)
            if not received:
                break
            answer += received
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert json.loads(payload)["size"] == len(body)


def test_dot_segments_are_resolved_before_the_function_sees_the_path(server):
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(b"GET /server/echo/../echo/./a HTTP/1.1\r\nHost: x\r\n"
                     b"Connection: close\r\n\r\n")
        answer = _read_all(sock)
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["path"] == "/echo/a"


def test_an_encoded_slash_in_the_function_segment_names_no_function(server):
    response = httpx.get(f"{server.url}/server/echo%2Fa", timeout=10)
    assert response.status_code == 404
    assert response.json() == {"data": "No function named echo/a in this project; did you "
                                       "mean echo?"}


def test_an_http_1_0_caller_without_host_reaches_the_function(server):
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(b"GET /server/echo/a HTTP/1.0\r\n\r\n")
        answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 200 ")


def test_concurrent_calls_beyond_the_workers_share_wait_their_turn(server):
    # The worker's listen backlog is 128; past it the kernel resets connections, and calls
    # would fail with 502 without ever reaching the function.
    count = 150

    async def calls() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=count)
        async with httpx.AsyncClient(timeout=30, limits=limits, trust_env=False) as client:
            return await asyncio.gather(*(
                client.post(f"{server.url}/server/echo/slow", content=b"x" * 500)
                for _ in range(count)))

    answers = asyncio.run(calls())
    assert [answer.status_code for answer in answers] == [200] * count
    most = max(answer.json()["most_at_once"] for answer in answers)
    assert CONCURRENT_CALLS // 2 < most <= CONCURRENT_CALLS


def _read_all(sock: socket.socket) -> bytes:
    answer = b""
    while received := sock.recv(65536):
        answer += received
    return answer


def test_headers_too_large_for_the_worker_are_refused_in_the_envelope(server):
    big = httpx.get(f"{server.url}/server/echo/a", timeout=10,
                    headers={"x-big": "b" * (64 * 1024)})
    assert big.status_code == 431
    assert big.json() == {"data": "The request's headers are over 65536 bytes or 85 lines"}
    many = httpx.get(f"{server.url}/server/echo/a", timeout=10,
                     headers={f"x-h{n}": "1" for n in range(90)})
    assert many.status_code == 431
    fine = httpx.get(f"{server.url}/server/echo/a", timeout=10,
                     headers={"x-big": "b" * 8192, **{f"x-h{n}": "1" for n in range(40)}})
    assert fine.status_code == 200
