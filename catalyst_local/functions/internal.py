"""The runtime's internal requests, which the host uses as a readiness probe.

Catalyst's runtime answers `/ruok` on requests carrying `x-zoho-catalyst-internal: true`; the
worker does the same and adds whether the function's code loaded. The gateway strips that header
from callers, so user requests never reach these answers.
"""

from __future__ import annotations

import json

from catalyst_local.functions.loader import LoadError

INTERNAL_HEADER = "x-zoho-catalyst-internal"
PROBE_PATH = "/ruok"
# The first line a worker prints: where it listens.
PORT_LINE_PREFIX = "catalyst-local-worker-port="


def internal_answer(path: str, function: str, load_error: LoadError | None) -> tuple[int, bytes]:
    """Status and JSON body for an internal request to `path`."""
    if path != PROBE_PATH:
        return 500, b'{"message": "unknown internal request"}'
    body = {"message": "iamok",
            "load_error": load_error.as_json(function) if load_error else None}
    return 200, json.dumps(body).encode()
