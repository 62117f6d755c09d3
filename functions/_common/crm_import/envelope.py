"""The service's JSON envelope, as the original CodeLib answers."""

from __future__ import annotations

import json

from flask import Response

GENERIC = "We're unable to process your request. Kindly check logs to know more details."


def success(body: dict) -> Response:
    return _json(200, {"status": "success", **body})


def failure(status: int, message: str) -> Response:
    return _json(status, {"status": "failure", "message": message})


def _json(status: int, body: dict) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")
