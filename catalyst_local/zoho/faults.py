"""Injected failures: the next N calls of one endpoint answer with a chosen status.

A faulted call answers before any work is done (no token check, no state change), so a client
that retries sees exactly one effect. This mirrors throttling (429), outages (5xx) and slow
servers (a held request, then 504) seen from Zoho in the field.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import JSONResponse, Response

logger = logging.getLogger("catalyst_local.zoho")

ENDPOINTS = ("token", "upload", "create_job", "job_details", "download", "org", "fields",
             "records")

CODES = {429: ("TOO_MANY_REQUESTS", "too many requests"),
         500: ("INTERNAL_ERROR", "Internal Server Error"),
         502: ("INTERNAL_ERROR", "Bad Gateway"),
         503: ("INTERNAL_ERROR", "Service Unavailable"),
         504: ("INTERNAL_ERROR", "Gateway Timeout")}


class FaultError(ValueError):
    """A fault request that names an unknown endpoint or bad values."""


@dataclass
class Fault:
    status: int
    count: int
    retry_after: int | None = None
    timeout: bool = False

    def describe(self) -> dict[str, object]:
        return {"status": self.status, "count": self.count, "retry_after": self.retry_after,
                "timeout": self.timeout}


class Faults:
    def __init__(self, hang_seconds: Callable[[], float]):
        self._pending: dict[str, list[Fault]] = {}
        self._hang_seconds = hang_seconds

    def add(self, spec: dict[str, object]) -> Fault:
        endpoint = spec.get("endpoint")
        if endpoint not in ENDPOINTS:
            raise FaultError(f"'endpoint' must be one of {', '.join(ENDPOINTS)}")
        timeout = spec.get("timeout", False)
        status = spec.get("status", 504 if timeout else None)
        count = spec.get("count", 1)
        retry_after = spec.get("retry_after")
        if type(status) is not int or not 400 <= status <= 599:
            raise FaultError("'status' must be an HTTP error status between 400 and 599")
        if type(count) is not int or count < 1:
            raise FaultError("'count' must be a positive integer")
        if retry_after is not None and (type(retry_after) is not int or retry_after < 0):
            raise FaultError("'retry_after' must be a whole number of seconds")
        if type(timeout) is not bool:
            raise FaultError("'timeout' must be true or false")
        fault = Fault(status, count, retry_after, timeout)
        self._pending.setdefault(str(endpoint), []).append(fault)
        logger.info("Fault armed on %s: %s x%d", endpoint, status, count)
        return fault

    def clear(self) -> None:
        self._pending.clear()

    def describe(self) -> dict[str, list[dict[str, object]]]:
        return {name: [f.describe() for f in faults] for name, faults in self._pending.items()
                if faults}

    async def take(self, endpoint: str) -> Response | None:
        """The faulted answer for this call, or None when the call should run normally."""
        queue = self._pending.get(endpoint)
        if not queue:
            return None
        fault = queue[0]
        fault.count -= 1
        if fault.count <= 0:
            queue.pop(0)
        logger.info("Fault injected on %s: %s", endpoint, fault.status)
        if fault.timeout:
            await asyncio.sleep(self._hang_seconds())
        generic = ("BAD_REQUEST", "injected fault") if fault.status < 500 else (
            "INTERNAL_ERROR", "injected fault")
        code, message = CODES.get(fault.status, generic)
        headers = {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        body = {"code": code, "details": {}, "message": message, "status": "error"}
        return JSONResponse(body, status_code=fault.status, headers=headers)
