"""Advanced I/O functions as the Catalyst runtime runs them, called through the gateway."""

from __future__ import annotations

import json
import logging
import os

import httpx
import pytest
from function_harness import FunctionSpec, make_runtime, served, wait_for, write_project

APP = """
import os
import threading

import flask
import zcatalyst_sdk


def handler(request):
    path = request.path
    if path == "/str":
        return "plain text"
    if path == "/tuple":
        return "created", 201
    if path == "/response":
        response = flask.make_response("made", 202)
        response.headers["X-Made-By"] = "handler"
        return response
    if path == "/jsonify":
        return flask.jsonify(items=[1, 2])
    if path in ("/none", "/empty-string", "/empty-dict"):
        return {"/none": None, "/empty-string": "", "/empty-dict": {}}[path]
    if path == "/raise":
        raise ValueError("bad input")
    if path == "/headers":
        handed = getattr(threading.current_thread(), "__zc_local")
        seen = {k: v for k, v in request.headers.items() if k.lower().startswith("x-zc-")}
        return {"request": seen, "handed": handed}
    if path == "/sdk":
        config = zcatalyst_sdk.initialize().config
        return {key: config[key] for key in ("project_id", "project_key", "environment")}
    if path == "/env":
        names = ["GREETING", "NESTED", "LOCAL_ONLY", "CATALYST_MAX_TIMEOUT",
                 "CATALYST_FUNCTION_TYPE", "X_ZOHO_CATALYST_CONSOLE_URL",
                 "X_ZOHO_CATALYST_ACCOUNTS_URL", "X_ZOHO_INHERITED", "CATALYST_INHERITED"]
        return {"values": {name: os.environ.get(name) for name in names},
                "is_local_set": "X_ZOHO_CATALYST_IS_LOCAL" in os.environ,
                "cwd": os.getcwd()}
    return {"path": request.path, "full_path": request.full_path, "method": request.method,
            "body": request.get_data(as_text=True)}
"""

EVENT_ENV = """
import json
import os


def handler(event, context):
    names = ["CATALYST_MAX_TIMEOUT", "CATALYST_FUNCTION_TYPE", "X_ZOHO_CATALYST_CONSOLE_URL"]
    with open(os.environ["OUT_FILE"], "w") as out:
        json.dump({name: os.environ.get(name) for name in names}, out)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("advancedio")
    env = {"GREETING": "hello", "NESTED": {"a": 1}, "X_ZOHO_CATALYST_IS_LOCAL": "true"}
    write_project(root, {
        "app": FunctionSpec("advancedio", APP, env),
        "ev": FunctionSpec("event", EVENT_ENV, {"OUT_FILE": str(root / "event-env.json")}),
    })
    (root / "catalyst-local.env.json").write_text(json.dumps({"app": {"LOCAL_ONLY": "secret"}}))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("X_ZOHO_INHERITED", "leak")
        patch.setenv("CATALYST_INHERITED", "leak")
        runtime = make_runtime(root)
        with served(runtime) as running:
            yield running


def get(server, path: str, **kwargs) -> httpx.Response:
    return httpx.request(kwargs.pop("method", "GET"), f"{server.url}/server/app{path}",
                         timeout=30, **kwargs)


def test_only_the_server_prefix_is_stripped_and_the_query_is_kept(server):
    response = get(server, "/users/42?x=1&y=two")
    assert response.status_code == 200
    assert response.json() == {"path": "/users/42", "full_path": "/users/42?x=1&y=two",
                               "method": "GET", "body": ""}


def test_the_bare_function_url_is_the_root_path(server):
    assert get(server, "").json()["path"] == "/"


def test_a_request_body_reaches_the_handler(server):
    response = get(server, "/echo", method="PUT", content=b"payload")
    assert response.json()["body"] == "payload"
    assert response.json()["method"] == "PUT"


@pytest.mark.parametrize(("path", "status", "content_type", "body"), [
    ("/str", 200, "text/html; charset=utf-8", b"plain text"),
    ("/tuple", 201, "text/html; charset=utf-8", b"created"),
    ("/response", 202, "text/html; charset=utf-8", b"made"),
    ("/jsonify", 200, "application/json", b'{"items":[1,2]}\n'),
    ("/none", 200, "text/html; charset=utf-8", b""),
    ("/empty-string", 200, "text/html; charset=utf-8", b""),
    ("/empty-dict", 200, "text/html; charset=utf-8", b""),
])
def test_return_values_become_flask_view_results(server, path, status, content_type, body):
    response = get(server, path)
    assert (response.status_code, response.headers["content-type"], response.content) == (
        status, content_type, body)


def test_a_response_object_keeps_its_headers(server):
    assert get(server, "/response").headers["x-made-by"] == "handler"


def test_an_uncaught_exception_is_a_500_with_its_repr(server):
    response = get(server, "/raise")
    assert response.status_code == 500
    assert response.json() == {"error": "ValueError('bad input')"}
    lines = [entry["line"] for entry in server.runtime.functions.logs("app")]
    assert "Handler raised ValueError('bad input')" in lines
    assert "ValueError: bad input" in lines


def test_options_is_answered_by_flask_without_the_handler(server):
    response = get(server, "/anything", method="OPTIONS")
    assert response.status_code == 200
    assert set(response.headers["allow"].split(", ")) == {
        "HEAD", "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
    assert response.content == b""


def test_platform_headers_are_in_the_request_and_handed_to_the_thread(server):
    credentials = server.runtime.credentials
    body = get(server, "/headers").json()
    seen = body["request"]
    assert body["handed"] == {"catalyst_headers": seen}
    assert seen["X-Zc-Projectid"] == credentials.project_id
    assert seen["X-Zc-Project-Key"] == credentials.project_key
    assert seen["X-Zc-Admin-Cred-Token"] == credentials.admin_token
    assert seen["X-Zc-User-Cred-Token"] == credentials.user_token
    assert seen["X-Zc-Instance-Id"] == "local"
    assert set(seen) == {
        "X-Zc-Projectid", "X-Zc-Project-Key", "X-Zc-Project-Domain", "X-Zc-Environment",
        "X-Zc-Admin-Cred-Type", "X-Zc-Admin-Cred-Token", "X-Zc-User-Cred-Type",
        "X-Zc-User-Cred-Token", "X-Zc-User-Type", "X-Zc-Instance-Id", "X-Zc-Request-Uuid"}


def test_the_sdk_initializes_with_no_arguments_inside_the_handler(server):
    credentials = server.runtime.credentials
    response = get(server, "/sdk")
    assert response.status_code == 200
    assert response.json() == {"project_id": credentials.project_id,
                               "project_key": credentials.project_key,
                               "environment": "Development"}


def test_the_worker_environment_points_the_sdk_here(server):
    body = get(server, "/env").json()
    assert body["values"] == {
        "GREETING": "hello",
        "NESTED": '{"a": 1}',
        "LOCAL_ONLY": "secret",
        "CATALYST_MAX_TIMEOUT": "30000",
        "CATALYST_FUNCTION_TYPE": "advancedio",
        "X_ZOHO_CATALYST_CONSOLE_URL": server.url,
        "X_ZOHO_CATALYST_ACCOUNTS_URL": server.url,
        "X_ZOHO_INHERITED": None,
        "CATALYST_INHERITED": None,
    }
    assert body["is_local_set"] is False
    assert body["cwd"] == os.fspath(server.runtime.project.functions["app"].directory)
    assert not server.url.endswith("/")


def test_event_functions_get_the_fifteen_minute_timeout(server):
    delivery = server.call(lambda: server.runtime.functions.invoke_event("ev", b"{}", "r-1"))
    assert delivery.status == 200
    out = server.runtime.project.root / "event-env.json"
    assert json.loads(out.read_text()) == {"CATALYST_MAX_TIMEOUT": "900000",
                                           "CATALYST_FUNCTION_TYPE": "event",
                                           "X_ZOHO_CATALYST_CONSOLE_URL": server.url}


def test_is_local_from_env_variables_is_dropped_with_a_warning(tmp_path, caplog):
    from catalyst_local.functions.environment import worker_environment

    write_project(tmp_path, {"app": FunctionSpec("advancedio", APP,
                                                 {"X_ZOHO_CATALYST_IS_LOCAL": "true"})})
    runtime = make_runtime(tmp_path)
    runtime.base_url = "http://127.0.0.1:8000/"
    caplog.set_level(logging.WARNING, logger="catalyst_local.functions")
    env = worker_environment(runtime, runtime.project.functions["app"])
    assert "X_ZOHO_CATALYST_IS_LOCAL" not in env
    assert env["X_ZOHO_CATALYST_CONSOLE_URL"] == "http://127.0.0.1:8000"
    assert [record.getMessage() for record in caplog.records] == [
        "Function app sets X_ZOHO_CATALYST_IS_LOCAL; it is dropped, because it would make the "
        "SDK call https hosts instead of this emulator"]


def test_invocations_are_recorded_without_the_query(server):
    get(server, "/recorded?token=abc")
    # Recorded once the answer has streamed out, which the client may see first.
    last = wait_for(lambda: [call for call in server.runtime.functions.invocations("app")
                             if call["target"] == "/server/app/recorded"], what="the record")[0]
    assert last["target"] == "/server/app/recorded"
    assert last["status"] == 200
    assert last["duration_ms"] >= 0
