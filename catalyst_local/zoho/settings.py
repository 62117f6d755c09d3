"""Switches for the Zoho behaviours the documentation leaves open, each defaulting to the docs."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any


class SettingError(ValueError):
    """A sandbox setting was given an unknown name or a value of the wrong kind."""


@dataclass
class SandboxSettings:
    # Token answers carry `expires_in_sec: 3600` and `expires_in: 3600000` (milliseconds), as
    # older Zoho Accounts servers did, instead of `expires_in: 3600`.
    legacy_expiry: bool = False
    # A stale or unknown access token gets 401 AUTHENTICATION_FAILURE instead of INVALID_TOKEN.
    authentication_failure: bool = False
    # Running jobs report `INPROGRESS` (Zoho's sample JSON) instead of `IN PROGRESS` (its prose).
    inprogress_spelling: bool = False
    # `result.download_url` is a path resolved against the API domain instead of a full URL.
    relative_download_url: bool = False
    # Upload errors with a `code` body answer HTTP 200, as third-party API mirrors show.
    upload_error_status_200: bool = False
    # A UTF-8 byte order mark before the CSV header: "strip" it, or "keep" it glued to the first
    # header name (which then fails to auto-map).
    bom: str = "strip"
    # Whether a file id may back more than one bulk write job (undocumented; refused by default).
    file_id_reuse: bool = False
    # Seconds a job spends in each of ADDED and IN PROGRESS before it moves on.
    job_step_seconds: float = 0.2
    # How long a `timeout` fault holds the request before answering 504.
    fault_hang_seconds: float = 15.0
    # Days a result file can be downloaded (reported as 7 days, unconfirmed).
    result_retention_days: float = 7.0

    def update(self, values: dict[str, Any]) -> None:
        """Applies a partial update, refusing unknown names and mistyped values before any
        change."""
        known = {f.name: getattr(self, f.name) for f in fields(self)}
        for key, value in values.items():
            if key not in known:
                raise SettingError(f"'{key}' is not a sandbox setting")
            default = known[key]
            numeric = isinstance(default, float) and type(value) in (int, float)
            if type(value) is not type(default) and not numeric:
                raise SettingError(f"'{key}' must be of type {type(default).__name__}")
            if key == "bom" and value not in ("strip", "keep"):
                raise SettingError("'bom' must be \"strip\" or \"keep\"")
            if numeric and value < 0:
                raise SettingError(f"'{key}' must not be negative")
        for key, value in values.items():
            setattr(self, key, float(value) if isinstance(known[key], float) else value)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | None) -> SandboxSettings:
        settings = cls()
        if text:
            try:
                settings.update(json.loads(text))
            except SettingError:
                # Saved by an older version with other names: start from the defaults.
                return cls()
        return settings
