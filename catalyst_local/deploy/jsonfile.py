"""Reading a project's JSON files without stopping at the first problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MISSING = "the file does not exist"


def read_object(path: Path) -> tuple[dict[str, Any] | None, str]:
    """The file's JSON object and "", or None and what is wrong with the file."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, MISSING
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"
    except json.JSONDecodeError as exc:
        return None, f"is not valid JSON ({exc.msg} at line {exc.lineno})"
    if not isinstance(value, dict):
        return None, "must hold a JSON object"
    return value, ""
