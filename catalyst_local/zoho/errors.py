"""The error shapes Zoho answers with, shared by the per-area catalogues."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse


class ZohoError(Exception):
    """An error answered as it is, with its own status, JSON body and headers."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(body.get("message") or body.get("error") or body.get("x-error"))
        self.status, self.body, self.headers = status, body, headers or {}

    @property
    def code(self) -> str:
        return str(self.body.get("code") or self.body.get("error") or "")

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


@dataclass(frozen=True)
class CrmError:
    """A CRM API error: `{"code", "details", "message", "status": "error"}`."""

    status: int
    code: str
    message: str  # a str.format template

    def __call__(self, details: dict[str, Any] | None = None, status: int | None = None,
                 **values: object) -> ZohoError:
        body = {"code": self.code, "details": details or {},
                "message": self.message.format(**values), "status": "error"}
        return ZohoError(self.status if status is None else status, body)
