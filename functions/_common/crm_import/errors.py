"""Errors both functions raise and recognise."""

from __future__ import annotations


def clipped(text: str, limit: int) -> str:
    """Text a client sent, as an answer may repeat it: at most `limit` characters of it."""
    return text if len(text) <= limit else text[:limit] + "..."


class ConfigurationError(Exception):
    """A function's environment variables are missing or inconsistent."""


class RequestError(Exception):
    """A caller's request is refused: the service answers `status` with the envelope."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ImportFailure(Exception):
    """An import run cannot finish; the message is the reason recorded and logged.

    It never holds row data, tokens or secrets.
    """


class CsvRejected(ImportFailure):
    """The CSV content breaks a rule the importer checks before any Zoho call."""


class ZohoError(Exception):
    """Zoho answered with an error, or could not be reached.

    `status` is the HTTP status (0 when there was no answer), `code` and `message` come from
    Zoho's body when it has them.
    """

    def __init__(self, status: int, code: str | None, message: str | None, what: str) -> None:
        detail = f"{what} failed with statusCode {status}"
        if code:
            detail += f" ({code}: {message})" if message else f" ({code})"
        elif message:
            detail += f" ({message})"
        super().__init__(detail)
        self.status = status
        self.code = code
        self.message = message


class OutcomeUnknown(ZohoError):
    """A request was sent but its answer never came: Zoho may or may not have acted on it."""
