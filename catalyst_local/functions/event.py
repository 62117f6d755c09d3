"""An Event function served the way Catalyst's Python runtime serves it.

The body is parsed as JSON (empty is `{}`), wrapped in an `event`, and `handler(event, context)`
is called. The answer has no body: 200 unless the last close was a failure (530); an uncaught
exception or a body that is not JSON is 532 with `{"error": repr(exc)}`.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from catalyst_local.functions.handoff import hand_off_headers
from catalyst_local.functions.internal import INTERNAL_HEADER, internal_answer
from catalyst_local.functions.loader import LoadError

logger = logging.getLogger("catalyst_local.worker")

SUCCESS, FAILURE, CODE_EXCEPTION = 200, 530, 532
# The runtime keeps this margin back from the remaining time it reports.
REMAINING_TIME_MARGIN_MS = 500


class Event:
    """The `event` argument: getters over the delivered body; a missing key is None."""

    def __init__(self, body: dict[str, Any]):
        self._body = body
        self.data = body.get("data")
        self.time = body.get("event_time")

    def get_data(self) -> Any:
        return self.data

    def get_time(self) -> Any:
        return self.time

    def get_action(self) -> Any:
        return self._body.get("action")

    def get_source(self) -> Any:
        return self._body.get("source")

    def get_source_entity_id(self) -> Any:
        return self._body.get("source_entity_id")

    def get_event_bus_details(self) -> Any:
        return self._body.get("event_bus_details")

    def get_project_details(self) -> Any:
        return self._body.get("project_details")

    def get_raw_data(self) -> dict[str, Any]:
        return self._body


class Context:
    """The `context` argument of an Event function. Like the runtime's, it has no `log()` and no
    `close()`; closing only records the status, and the handler keeps running."""

    def __init__(self, started_ms: float, max_timeout: str | None):
        self._started_ms = started_ms
        self._max_ms = int(max_timeout) if max_timeout else None
        self.status = SUCCESS

    def close_with_success(self) -> None:
        self.status = SUCCESS

    def close_with_failure(self) -> None:
        self.status = FAILURE

    def get_max_execution_time_ms(self) -> int:
        return -1 if self._max_ms is None else self._max_ms

    def get_remaining_execution_time_ms(self) -> int:
        if self._max_ms is None:
            return 0
        remaining = self._started_ms + self._max_ms - REMAINING_TIME_MARGIN_MS - time.time() * 1000
        return max(0, int(remaining))


def create_app(function: str, handler: Callable[..., Any] | None,
               load_error: LoadError | None) -> Callable[..., Iterable[bytes]]:
    """A WSGI app that delivers one event per request."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        return _answer(request)(environ, start_response)

    def _answer(request: Request) -> Response:
        if request.headers.get(INTERNAL_HEADER) == "true":
            status, body = internal_answer(request.path, function, load_error)
            return Response(body, status=status, mimetype="application/json")
        if load_error is not None:
            return _json(load_error.as_json(function), 500)

        started_ms = time.time() * 1000
        hand_off_headers(request.headers.items())
        try:
            raw = request.get_data()
            body = json.loads(raw) if raw.strip() else {}
            event = Event(body)
        except Exception as exc:
            logger.error("The event body is not a JSON object: %r", exc)
            return _json({"error": repr(exc)}, CODE_EXCEPTION)

        context = Context(started_ms, os.environ.get("CATALYST_MAX_TIMEOUT"))
        try:
            handler(event, context)  # type: ignore[misc]
        except Exception as exc:
            logger.exception("Handler raised %r", exc)
            return _json({"error": repr(exc)}, CODE_EXCEPTION)
        return Response(status=context.status)

    return app


def _json(value: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(value), status=status, mimetype="application/json")
