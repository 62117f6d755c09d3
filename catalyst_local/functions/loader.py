"""Loads a function's entry file the way Catalyst's Python runtime does.

The runtime imports `execution.main` from its file path under the module name `''`, with the
function folder at `sys.path[0]`, and requires a callable `handler`. Two failures are told apart,
as uvicorn's importer does: the module imported but has no handler, or the module itself raised.
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

HANDLER_NOT_FOUND = "handler_not_found"
IMPORT_ERROR = "import_error"


class LoadError(Exception):
    """The function's code could not be loaded; every call is answered with this error."""

    def __init__(self, kind: str, message: str, details: str = ""):
        super().__init__(message)
        self.kind = kind  # HANDLER_NOT_FOUND or IMPORT_ERROR
        self.message = message
        self.details = details  # the original traceback, for an import error

    def as_json(self, function: str) -> dict[str, Any]:
        return {"function": function, "error": self.kind, "message": self.message}


def load_handler(directory: Path, main: str) -> Callable[..., Any]:
    """Imports `directory/main` and returns its `handler`, or raises `LoadError`."""
    directory = directory.resolve()
    sys.path.insert(0, str(directory))
    spec = importlib.util.spec_from_file_location("", directory / main)
    if spec is None or spec.loader is None:
        raise LoadError(IMPORT_ERROR, f"{main} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:
        # SyntaxError lands here too; the full traceback is what the developer needs.
        raise LoadError(IMPORT_ERROR, f"{main} raised while importing: {exc!r}",
                        traceback.format_exc()) from None

    handler = getattr(module, "handler", None)
    if not callable(handler):
        raise LoadError(HANDLER_NOT_FOUND,
                        f"{main} was imported but defines no callable 'handler'")
    return handler
