"""Code that fails to load: told apart like uvicorn's importer, and the server keeps running."""

from __future__ import annotations

import logging

import httpx
import pytest
from function_harness import FunctionSpec, make_runtime, served, write_project

NO_HANDLER = """
def handle(request):
    return "misspelled"
"""
NOT_CALLABLE = """
handler = "not a function"
"""
RAISES = """
import os

SETTING = os.environ["MISSING_SETTING"]
"""
SYNTAX = """
def handler(request)
    return "no colon"
"""
EVENT_RAISES = """
raise RuntimeError("cannot start")
"""
GOOD = """
def handler(request):
    return "fine"
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("loading")
    write_project(root, {
        "no_handler": FunctionSpec("advancedio", NO_HANDLER),
        "not_callable": FunctionSpec("advancedio", NOT_CALLABLE),
        "raises": FunctionSpec("advancedio", RAISES),
        "syntax": FunctionSpec("advancedio", SYNTAX),
        "event_raises": FunctionSpec("event", EVENT_RAISES),
        "good": FunctionSpec("advancedio", GOOD),
    })
    handler = _Capture()
    logging.getLogger("catalyst_local").addHandler(handler)
    try:
        with served(make_runtime(root)) as running:
            running.records = handler.records
            yield running
    finally:
        logging.getLogger("catalyst_local").removeHandler(handler)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def call(server, name: str) -> httpx.Response:
    return httpx.get(f"{server.url}/server/{name}/", timeout=30)


@pytest.mark.parametrize("name", ["no_handler", "not_callable"])
def test_a_module_without_a_callable_handler_is_handler_not_found(server, name):
    response = call(server, name)
    assert response.status_code == 500
    assert response.json() == {
        "function": name, "error": "handler_not_found",
        "message": "main.py was imported but defines no callable 'handler'"}


def test_a_module_that_raises_is_an_import_error_with_the_original_message(server):
    response = call(server, "raises")
    assert response.status_code == 500
    assert response.json() == {
        "function": "raises", "error": "import_error",
        "message": "main.py raised while importing: KeyError('MISSING_SETTING')"}
    lines = [entry["line"] for entry in server.runtime.functions.logs("raises")]
    assert "Traceback (most recent call last):" in lines
    assert "KeyError: 'MISSING_SETTING'" in lines


def test_a_syntax_error_is_an_import_error(server):
    response = call(server, "syntax")
    body = response.json()
    assert response.status_code == 500
    assert body["error"] == "import_error"
    assert body["message"].startswith("main.py raised while importing: SyntaxError(")
    assert any(entry["line"].startswith("SyntaxError:")
               for entry in server.runtime.functions.logs("syntax"))


def test_the_host_logs_each_load_failure_at_error(server):
    messages = {record.getMessage() for record in server.records
                if record.name == "catalyst_local.functions" and record.levelno == logging.ERROR}
    assert "Function raises failed to load (import_error): main.py raised while importing: " \
           "KeyError('MISSING_SETTING')" in messages
    assert "Function no_handler failed to load (handler_not_found): main.py was imported but " \
           "defines no callable 'handler'" in messages


def test_broken_functions_count_as_ready_and_the_others_still_serve(server):
    host = server.runtime.functions
    assert host.is_ready()
    status = host.status()
    assert status["raises"]["state"] == "broken"
    assert status["raises"]["last_error"] == ("main.py raised while importing: "
                                              "KeyError('MISSING_SETTING')")
    assert status["good"]["state"] == "ready"
    assert status["good"]["last_error"] is None
    assert call(server, "good").text == "fine"


def test_an_event_for_a_broken_event_function_is_held_not_attempted(server):
    delivery = server.call(lambda: server.runtime.functions.invoke_event("event_raises", b"{}",
                                                                          "r-1"))
    assert delivery.held and delivery.status is None and not delivery.delivered
    assert delivery.error.startswith("the code of function event_raises does not load: ")
