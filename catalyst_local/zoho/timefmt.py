"""Zoho's ISO-8601 timestamps, written in the org's UTC offset."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


def iso(epoch_seconds: float, offset_minutes: int) -> str:
    """e.g. "2025-01-05T16:10:00+05:30"."""
    zone = timezone(timedelta(minutes=offset_minutes))
    return datetime.fromtimestamp(epoch_seconds, zone).isoformat(timespec="seconds")
