"""An Advanced I/O function served the way Catalyst's Python runtime serves it.

A Flask 2.3.3 app with one catch-all route calls `handler(flask.request)`. What the handler
returns is the view result; a falsy value is an empty 200. An uncaught exception is a 500 with
`{"error": repr(exc)}`, and its traceback is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify, make_response, request

from catalyst_local.functions.handoff import hand_off_headers
from catalyst_local.functions.internal import INTERNAL_HEADER, internal_answer
from catalyst_local.functions.loader import LoadError

logger = logging.getLogger("catalyst_local.worker")

# OPTIONS is left to Flask's automatic answer, as in the runtime: it never reaches the handler.
METHODS = ["HEAD", "GET", "POST", "PUT", "PATCH", "DELETE"]


def create_app(function: str, handler: Callable[..., Any] | None,
               load_error: LoadError | None) -> Flask:
    app = Flask(__name__)

    @app.before_request
    def answer_internal_or_broken() -> Any:
        if request.headers.get(INTERNAL_HEADER) == "true":
            status, body = internal_answer(request.path, function, load_error)
            return Response(body, status=status, mimetype="application/json")
        if load_error is not None:
            return jsonify(load_error.as_json(function)), 500
        return None

    @app.route("/", defaults={"path": ""}, methods=METHODS)
    @app.route("/<path:path>", methods=METHODS)
    def call_handler(path: str) -> Any:
        hand_off_headers(request.headers.items())
        try:
            result = handler(request)  # type: ignore[misc]
        except Exception as exc:
            logger.exception("Handler raised %r", exc)
            return jsonify({"error": repr(exc)}), 500
        return result if result else make_response("", 200)

    return app
