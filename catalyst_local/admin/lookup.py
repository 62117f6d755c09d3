"""Finding a function, segment, folder or module by name, with a suggestion when it is not there."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from starlette.responses import JSONResponse


class UnknownName(LookupError):
    """A name the project does not have; `suggestion` is the closest one it does have."""

    def __init__(self, kind: str, name: str, known: Iterable[str]):
        known = list(known)
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        self.kind, self.name = kind, name
        self.suggestion = close[0] if close else None
        if self.suggestion:
            message = f"No {kind} named '{name}'; did you mean '{self.suggestion}'?"
        elif known:
            message = f"No {kind} named '{name}'; the project has {', '.join(known)}"
        else:
            message = f"No {kind} named '{name}'; the project has none"
        super().__init__(message)

    def response(self) -> JSONResponse:
        return JSONResponse({"error": str(self), "unknown": self.kind,
                             "did_you_mean": self.suggestion}, status_code=404)


def find(kind: str, name: str, known: Iterable[str]) -> str:
    """`name` if it is one of `known`, else UnknownName."""
    known = list(known)
    if name not in known:
        raise UnknownName(kind, name, known)
    return name


def error(status: int, message: str) -> JSONResponse:
    """The admin API's error body, shaped like the Event Listener admin routes' one."""
    return JSONResponse({"error": message}, status_code=status)
