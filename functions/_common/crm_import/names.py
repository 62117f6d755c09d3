"""Names shared by both functions: components, cache keys and safe file names."""

from __future__ import annotations

import re
import unicodedata

FOLDER_NAME = "CrmFiles"
SEGMENT_NAME = "CrmFiles"

# A Put of this prefix into segment CrmFiles starts an import (the Event Listener rule fires on
# every Put into that segment, so the initiator ignores any other key).
JOB_KEY_PREFIX = "CRM_BULK_JOB_"
# Import records live in the Default segment: a Put into CrmFiles would fire the rule again.
PROGRESS_KEY_PREFIX = "CRM_BULK_JOB_PROGRESS_"
TOKEN_KEY = "CRM_BULK_IMPORT_TOKEN"

# Modules the Bulk Write API refuses (records API only).
UNSUPPORTED_MODULES = frozenset({"Calls", "Events", "Notes", "Users", "Attachments"})

_UNSAFE = re.compile(r"[^\w.\- ()]+")
_MAX_NAME = 100


def job_key(file_id: str) -> str:
    return f"{JOB_KEY_PREFIX}{file_id}"


def progress_key(file_id: str) -> str:
    return f"{PROGRESS_KEY_PREFIX}{file_id}"


def safe_file_name(client_name: str | None, default: str = "import.csv") -> str:
    """Reduce a client-supplied file name to a plain base name.

    Directories, separators and control characters go; letters (any script), digits, spaces,
    dots, dashes, underscores and parentheses stay, so the File Store name stays recognisable.
    """
    name = unicodedata.normalize("NFC", client_name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name:
        return default
    if len(name) > _MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and len(ext) <= 10:
            name = stem[: _MAX_NAME - len(ext) - 1] + "." + ext
        else:
            name = name[:_MAX_NAME]
    return name


def base_name(file_name: str) -> str:
    """The name without its extension, used for batch files `<base>_<n>.csv`."""
    stem, dot, _ = file_name.rpartition(".")
    return (stem if dot and stem else file_name) or "import"
