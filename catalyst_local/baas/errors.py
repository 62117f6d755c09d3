"""The cloud's error model: an HTTP status, an `error_code` and a message.

Each component keeps its own catalogue of `ErrorEntry` values in one module, so a test can assert
the exact code and message, and a route raises `catalogue.ENTRY(value=...)`.
"""

from __future__ import annotations

from dataclasses import dataclass


class CatalystError(Exception):
    """An error answered with the failure envelope."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class ErrorEntry:
    status: int
    code: str
    message: str  # a str.format template

    def __call__(self, **values: object) -> CatalystError:
        return CatalystError(self.status, self.code, self.message.format(**values))


# Shared by every component.
INVALID_TOKEN = ErrorEntry(401, "INVALID_TOKEN",
                           "The OAuth token is invalid or was not issued by this emulator.")
INVALID_REQUEST_METHOD = ErrorEntry(405, "INVALID_REQUEST_METHOD",
                                    "The request method {method} is not allowed on {path}.")
INVALID_URL = ErrorEntry(404, "INVALID_URL", "No Catalyst API is served at {path}.")
NOT_SERVED = ErrorEntry(404, "INVALID_URL", "Nothing is served at {path}.")
INVALID_JSON = ErrorEntry(400, "INVALID_INPUT", "The request body is not a valid JSON object.")
NOT_EMULATED = ErrorEntry(501, "NOT_EMULATED",
                          "{operation} is not emulated by catalyst-local.")
