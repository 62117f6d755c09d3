"""Cache segments and their keys, with the cloud's limits and expiry rules; no HTTP here.

Everything lives in one `diskcache.Cache` in the component's data directory: the segment
registry under fixed keys, and each cache key under `("entry", segment_id, key)`, written with
diskcache's own expiry and tagged with its segment.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import diskcache

from catalyst_local.baas.shapes import catalyst_time
from catalyst_local.cache import errors
from catalyst_local.ids import new_id
from catalyst_local.runtime import Runtime

logger = logging.getLogger("catalyst_local.cache")

DEFAULT_SEGMENT = "Default"
MAX_KEY_CHARS = 50
MAX_VALUE_CHARS = 16_000
MAX_EXPIRY_HOURS = 48
DEFAULT_EXPIRY_HOURS = 48

# name -> id for every segment ever provisioned, so a segment keeps its id when it is dropped
# from the project and declared again later.
_SEGMENT_IDS = ("segment-ids",)
# The names currently declared, Default first.
_DECLARED = ("declared-segments",)
_ENTRY = "entry"


@dataclass(frozen=True)
class Segment:
    id: str
    name: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "segment_name": self.name}


@dataclass(frozen=True)
class _Entry:
    value: str
    hours: int
    expires_at: float  # epoch seconds, on the store's clock

    # Stored as a plain dict, so the data directory does not depend on this class's name.
    def to_stored(self) -> dict[str, Any]:
        return {"value": self.value, "hours": self.hours, "expires_at": self.expires_at}

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> _Entry:
        return cls(stored["value"], stored["hours"], stored["expires_at"])


class CacheStore:
    """The project's Cache: segments declared in the project, and their keys."""

    def __init__(self, directory: Path, runtime: Runtime,
                 clock: Callable[[], float] = time.time):
        directory.mkdir(parents=True, exist_ok=True)
        # No eviction: diskcache would otherwise drop keys silently past its 1 GB default.
        # TODO: the cloud caps a Development segment at 5 MB; nothing is capped here.
        self._cache = diskcache.Cache(str(directory), tag_index=True, eviction_policy="none")
        self._runtime = runtime
        # Injectable so that expiry can be tested without waiting hours.
        self._clock = clock

    def close(self) -> None:
        self._cache.close()

    # Segments

    def provision(self, segment_names: list[str]) -> list[Segment]:
        """Declares `Default` and each named segment, keeping the ids they had before.

        The cloud creates segments in its console only; this is that console step.
        """
        names = [DEFAULT_SEGMENT] + [name for name in segment_names if name != DEFAULT_SEGMENT]
        with self._cache.transact():
            ids: dict[str, str] = self._cache.get(_SEGMENT_IDS, {})
            for name in names:
                if name not in ids:
                    ids[name] = _unused_id(set(ids.values()))
                    logger.info("Segment %s created with id %s", name, ids[name])
            self._cache.set(_SEGMENT_IDS, ids)
            self._cache.set(_DECLARED, names)
        return self.segments()

    def segments(self) -> list[Segment]:
        """The declared segments, Default first."""
        ids: dict[str, str] = self._cache.get(_SEGMENT_IDS, {})
        return [Segment(ids[name], name) for name in self._cache.get(_DECLARED, [])]

    def segment(self, segment_id: str | None) -> Segment:
        """A declared segment by id (or by name when `names_as_ids` is on), else INVALID_ID.

        None is the Default segment, which the API addresses as plain `/cache`.
        """
        segments = self.segments()
        for segment in segments:
            if segment.id == segment_id or (segment_id is None and segment.name == DEFAULT_SEGMENT):
                return segment
        if self._runtime.settings.names_as_ids:
            for segment in segments:
                if segment.name == segment_id:
                    return segment
        raise errors.SEGMENT_NOT_FOUND(segment_id=segment_id or DEFAULT_SEGMENT)

    def segment_details(self, segment_id: str) -> dict[str, Any]:
        """GET /segment/{id}: the segment with its project."""
        return {**self.segment(segment_id).to_dict(),
                "project_details": self._runtime.project_details()}

    # Keys

    def put(self, segment_id: str | None, key: Any, value: Any,
            expiry_hours: Any) -> dict[str, Any]:
        """POST .../cache: stores `value` under `key`, replacing any value it had.

        Mirrors the cloud's limits: a key of 1 to 50 characters, a string value of at most
        16,000 characters, and a whole-hour expiry from 1 to 48 that defaults to 48.
        """
        segment = self.segment(segment_id)
        key = check_key(key, "cache_name")
        value = _check_value(value)
        hours = _check_expiry(expiry_hours)

        now = self._clock()
        entry = _Entry(value=value, hours=hours, expires_at=now + hours * 3600)
        self._cache.set((_ENTRY, segment.id, key), entry.to_stored(), expire=hours * 3600,
                        tag=segment.id)
        return self._item(segment, key, entry, now)

    def update(self, segment_id: str | None, key: Any, value: Any,
            expiry_hours: Any) -> dict[str, Any]:
        """PUT .../cache: like put; an update without an expiry starts a fresh 48 h.

        TODO: the cloud's answer for updating a key that does not exist is undocumented; here it
        creates the key, as put does.
        """
        return self.put(segment_id, key, value, expiry_hours)

    def get(self, segment_id: str | None, key: Any) -> dict[str, Any]:
        """GET .../cache?cacheKey=: the key's item.

        A key that expired, was deleted or was never set reads as `cache_value: null`
        (`cache_missing_key_reads_null`, the Zoho guidance) or as 404 INVALID_ID.
        """
        segment = self.segment(segment_id)
        key = check_key(key, "cacheKey")
        now = self._clock()
        entry = self._live_entry(segment, key, now)
        if entry is None:
            return self._missing_item(segment, key)
        return self._item(segment, key, entry, now)

    def delete(self, segment_id: str | None, key: Any) -> dict[str, Any]:
        """DELETE .../cache?cacheKey=: removes the key; answers the item it held.

        Deleting a key that is not there follows the same rule as reading it.
        """
        segment = self.segment(segment_id)
        key = check_key(key, "cacheKey")
        now = self._clock()
        entry = self._live_entry(segment, key, now)
        if entry is None:
            return self._missing_item(segment, key)
        self._cache.delete((_ENTRY, segment.id, key))
        return self._item(segment, key, entry, now)

    # For the console and the CLI; the cloud has no API to list keys.

    def entries(self, segment_id: str) -> list[dict[str, Any]]:
        """The segment's live keys, each as the item a get would answer, sorted by key."""
        segment = self.segment(segment_id)
        now = self._clock()
        items = []
        for stored_key in list(self._cache.iterkeys()):
            if not _is_entry_of(stored_key, segment.id):
                continue
            entry = self._live_entry(segment, stored_key[2], now)
            if entry is not None:
                items.append(self._item(segment, stored_key[2], entry, now))
        return sorted(items, key=lambda item: item["cache_name"])

    def clear(self, segment_id: str | None = None) -> int:
        """Removes every key (of one segment, or of all); the segments stay. Returns the count."""
        tags = [self.segment(segment_id).id] if segment_id else [s.id for s in self.segments()]
        removed = sum(self._cache.evict(tag) for tag in tags)
        logger.info("Cache cleared: %d keys removed", removed)
        return removed

    # Internals

    def _live_entry(self, segment: Segment, key: str, now: float) -> _Entry | None:
        stored_key = (_ENTRY, segment.id, key)
        stored = self._cache.get(stored_key)
        if stored is None:
            return None
        entry = _Entry.from_stored(stored)
        # diskcache expires on the wall clock; the store's own clock has the last word, so an
        # entry past its expiry is gone for every reader even before diskcache drops it.
        if entry.expires_at <= now:
            self._cache.delete(stored_key)
            return None
        return entry

    def _item(self, segment: Segment, key: str, entry: _Entry, now: float) -> dict[str, Any]:
        remaining_ms = max(0, round((entry.expires_at - now) * 1000))
        return {
            "cache_name": key,
            "cache_value": entry.value,
            "expires_in": catalyst_time(entry.expires_at),
            "expiry_in_hours": str(entry.hours),
            "ttl_in_milliseconds": str(remaining_ms),
            "segment_details": segment.to_dict(),
            "project_details": self._runtime.project_details(),
        }

    def _missing_item(self, segment: Segment, key: str) -> dict[str, Any]:
        if not self._runtime.settings.cache_missing_key_reads_null:
            raise errors.KEY_NOT_FOUND(key=key, segment_name=segment.name)
        return {
            "cache_name": key,
            "cache_value": None,
            "expires_in": None,
            "expiry_in_hours": None,
            "ttl_in_milliseconds": None,
            "segment_details": segment.to_dict(),
            "project_details": self._runtime.project_details(),
        }


def _unused_id(taken: set[str]) -> str:
    # new_id has only a few random digits after its clock: ids made in the same millisecond
    # can collide, so draw until one is free.
    while (candidate := new_id(17)) in taken:
        pass
    return candidate


def _is_entry_of(stored_key: Any, segment_id: str) -> bool:
    return (isinstance(stored_key, tuple) and len(stored_key) == 3
            and stored_key[0] == _ENTRY and stored_key[1] == segment_id)


def check_key(key: Any, field: str) -> str:
    """A key as the cloud accepts it: a non-empty string of at most 50 characters."""
    if not isinstance(key, str) or not key:
        raise errors.KEY_REQUIRED(field=field)
    if len(key) > MAX_KEY_CHARS:
        raise errors.KEY_TOO_LONG(field=field, limit=MAX_KEY_CHARS, length=len(key))
    return key


def _check_value(value: Any) -> str:
    # TODO: whether the cloud turns a JSON number or object into a string is undocumented; here
    # anything but a string is refused. Its 16,000 "characters" are counted as code points.
    if not isinstance(value, str):
        raise errors.VALUE_NOT_STRING()
    if len(value) > MAX_VALUE_CHARS:
        raise errors.VALUE_TOO_LONG(limit=MAX_VALUE_CHARS, length=len(value))
    return value


def _check_expiry(hours: Any) -> int:
    if hours is None:
        return DEFAULT_EXPIRY_HOURS
    if isinstance(hours, str) and hours.isascii() and hours.isdigit():
        hours = int(hours)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MAX_EXPIRY_HOURS:
        raise errors.EXPIRY_INVALID(limit=MAX_EXPIRY_HOURS)
    return hours
