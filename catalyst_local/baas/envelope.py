"""The `{"status": ..., "data": ...}` envelope every Catalyst API answers with."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from catalyst_local.baas.errors import CatalystError


def success(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"status": "success", "data": data}, status_code=status)


def failure(error: CatalystError) -> JSONResponse:
    body = {"status": "failure", "data": {"error_code": error.code, "message": error.message}}
    return JSONResponse(body, status_code=error.status)
