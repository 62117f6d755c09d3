"""Settings for the points where the cloud's behaviour is undocumented or disputed.

Each has the default catalyst-local chose; a project overrides any of them under
`catalyst_local.settings` in `catalyst.json`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from catalyst_local.project import ConfigError


@dataclass
class Settings:
    # Cache: a deleted or never-set key reads as 200 with `cache_value: null` (Zoho guidance).
    # False answers 404 INVALID_ID instead.
    cache_missing_key_reads_null: bool = True
    # Cache: whether `update` also fires a Put event. The cloud fires on put only, as far as known.
    cache_update_fires_put: bool = False
    # Whether a folder or segment name is accepted where the path expects its id (unconfirmed
    # in the cloud; off, so code that relies on it fails here before it fails in the cloud).
    names_as_ids: bool = False
    # File Store: `folder_details` in a file object is the folder id string (Node SDK, CLI) or an
    # `{id, folder_name}` object (Python type hints).
    folder_details_as_object: bool = False
    # Event bodies: ids and sizes inside `data` as strings (v2 API) or as numbers.
    event_numbers_as_strings: bool = True
    # Event Listener: redeliveries after the first attempt; 0 is a cloud that never redelivers.
    event_retries: int = 5
    # Seconds before the first redelivery; doubled on each further attempt.
    event_retry_backoff: float = 1.0
    # Function timeouts, in milliseconds, as Catalyst documents them.
    advancedio_timeout_ms: int = 30_000
    event_timeout_ms: int = 900_000
    # File Store: the largest file accepted, in bytes (100 MB in the docs).
    file_max_bytes: int = 100 * 1024 * 1024
    # Advanced I/O request bodies through the gateway; undocumented in the cloud.
    gateway_max_body_bytes: int = 250 * 1024 * 1024

    @classmethod
    def from_project(cls, overrides: dict[str, Any], file: Path) -> Settings:
        settings = cls()
        known = {f.name: f for f in fields(cls)}
        for key, value in overrides.items():
            if key not in known:
                raise ConfigError(file, f"catalyst_local.settings.{key}", "is not a known setting")
            default = getattr(settings, key)
            if type(value) is not type(default) and not (
                isinstance(default, float) and isinstance(value, int)
            ):
                raise ConfigError(file, f"catalyst_local.settings.{key}",
                                  f"must be of type {type(default).__name__}")
            if isinstance(value, (int, float)) and not isinstance(value, bool) and (
                value < 0 or (value == 0 and key.endswith(("_ms", "_bytes")))
            ):
                rule = "must be positive" if key.endswith(("_ms", "_bytes")) else \
                    "must not be negative"
                raise ConfigError(file, f"catalyst_local.settings.{key}", rule)
            setattr(settings, key, value)
        return settings
