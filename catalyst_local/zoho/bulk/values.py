"""Cell checks and conversions for each CRM field type, as bulk write applies them (§9.2 of the
contract): a converted value, or None when the cell is INVALID_DATA."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from catalyst_local.zoho.metadata import Field

# Zoho's date patterns (a subset of its published list) and their strptime forms.
DATE_FORMATS = {
    "MM/dd/yyyy": "%m/%d/%Y", "dd/MM/yyyy": "%d/%m/%Y", "yyyy/MM/dd": "%Y/%m/%d",
    "yyyy-MM-dd": "%Y-%m-%d", "dd-MM-yyyy": "%d-%m-%Y", "MM-dd-yyyy": "%m-%d-%Y",
    "dd.MM.yyyy": "%d.%m.%Y", "MM.dd.yyyy": "%m.%d.%Y", "yyyy.MM.dd": "%Y.%m.%d",
    "dd-MMM-yyyy": "%d-%b-%Y", "MMM dd,yyyy": "%b %d,%Y", "MMM dd, yyyy": "%b %d, %Y",
    "dd MMM yyyy": "%d %b %Y", "yy/MM/dd": "%y/%m/%d", "dd/MM/yy": "%d/%m/%y",
    "MM/dd/yy": "%m/%d/%y", "yyyyMMdd": "%Y%m%d",
}
DATETIME_FORMATS = {
    "MM/dd/yyyy HH:mm:ss": "%m/%d/%Y %H:%M:%S", "dd/MM/yyyy HH:mm:ss": "%d/%m/%Y %H:%M:%S",
    "yyyy-MM-dd HH:mm:ss": "%Y-%m-%d %H:%M:%S", "yyyy-MM-dd'T'HH:mm:ss": "%Y-%m-%dT%H:%M:%S",
    "MM/dd/yyyy hh:mm a": "%m/%d/%Y %I:%M %p", "dd-MMM-yyyy HH:mm:ss": "%d-%b-%Y %H:%M:%S",
}
# Without a mapping `format`: ISO (Zoho's blog) and MM/dd/yyyy (the create-job docs).
DEFAULT_DATES = ("%Y-%m-%d", "%m/%d/%Y")
DEFAULT_DATETIMES = ("%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z0-9-]{2,}$")
PHONE = re.compile(r"^\+?[0-9][0-9 ().-]*$")
INTEGER = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)$")
DECIMAL = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")
NUMBER_TYPES = ("integer", "bigint", "double", "currency", "decimal")


def format_known(field: Field, pattern: str) -> bool:
    if field.data_type == "date":
        return pattern in DATE_FORMATS
    if field.data_type == "datetime":
        return pattern in DATETIME_FORMATS
    # Number patterns are not checked.
    return True


def convert(field: Field, raw: str, pattern: str | None, offset_minutes: int) -> Any:
    """The stored value of a non-empty cell, or None when Zoho would refuse it."""
    kind = field.data_type
    if kind in ("text", "website", "textarea"):
        return raw if len(raw) <= field.length else None
    if kind == "email":
        return raw if len(raw) <= 100 and EMAIL.match(raw) else None
    if kind == "phone":
        return raw if len(raw) <= field.length and PHONE.match(raw) else None
    if kind == "boolean":
        lowered = raw.strip().lower()
        return {"true": True, "false": False}.get(lowered)
    if kind in NUMBER_TYPES:
        return _number(field, raw.strip())
    if kind == "date":
        parsed = _parse(raw.strip(), [DATE_FORMATS[pattern]] if pattern else DEFAULT_DATES)
        return None if parsed is None else parsed.date().isoformat()
    if kind == "datetime":
        return _datetime(raw.strip(), pattern, offset_minutes)
    if kind == "picklist":
        return raw if len(raw) <= 120 else None
    if kind == "multiselectpicklist":
        # Only `;` separates values; a comma-joined cell is one (new) value.
        return [part.strip() for part in raw.split(";") if part.strip()]
    return raw


def _number(field: Field, raw: str) -> int | float | None:
    if field.data_type in ("integer", "bigint"):
        if not INTEGER.match(raw):
            return None
        digits = raw.replace(",", "").lstrip("+-")
        limit = 9 if field.data_type == "integer" else 18
        return int(raw.replace(",", "")) if len(digits) <= min(field.length, limit) else None
    if not DECIMAL.match(raw):
        return None
    whole = raw.replace(",", "").lstrip("+-").split(".")[0]
    return float(raw.replace(",", "")) if len(whole) <= field.length else None


def _parse(raw: str, patterns: list[str] | tuple[str, ...]) -> datetime | None:
    for pattern in patterns:
        try:
            return datetime.strptime(raw, pattern)
        except ValueError:
            continue
    return None


def _datetime(raw: str, pattern: str | None, offset_minutes: int) -> str | None:
    zone = timezone(timedelta(minutes=offset_minutes))
    if pattern is None:
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            parsed = _parse(raw, DEFAULT_DATETIMES)
    else:
        parsed = _parse(raw, [DATETIME_FORMATS[pattern]])
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(zone).isoformat(timespec="seconds")
