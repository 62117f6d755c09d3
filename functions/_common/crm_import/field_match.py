"""Match the CSV header row to a module's fields, as Zoho's field metadata describes them.

An upload without `field_mappings` or `mapping` may come straight from a spreadsheet, with
headers such as "Last Name" or "Annual Revenue". Each header is matched in turn by exact API name
(`Account_Name.id` style lookup headers included), then by display label, then by API name, the
last two ignoring case and treating runs of spaces and underscores as one space. When every
header is an exact API name the job carries no `field_mappings`, so Zoho maps the header itself
as the original CodeLib relied on. Any problem (a header that matches nothing, a mandatory field
without a column) is reported before any job exists, worded with the column and field names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm_import.errors import ImportFailure

_RUNS = re.compile(r"[\s_]+")
_LISTED = 10
_NAME_MAX = 60
_LOOKUPS = frozenset({"lookup", "ownerlookup"})
# The record id column of update and upsert files; the field metadata does not list it.
RECORD_ID = "id"


@dataclass(frozen=True)
class FieldInfo:
    api_name: str
    label: str
    mandatory: bool
    read_only: bool
    lookup: bool


@dataclass(frozen=True)
class _Column:
    index: int
    header: str
    api_name: str
    exact: bool
    find_by: str | None = None
    field: FieldInfo | None = None


def fields_from_metadata(items: list) -> list[FieldInfo]:
    """Reads the `fields` list of `GET /crm/v8/settings/fields`; malformed entries are skipped."""
    fields = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("api_name"), str):
            continue
        label = item.get("display_label") or item.get("field_label") or ""
        fields.append(FieldInfo(
            api_name=item["api_name"],
            label=label if isinstance(label, str) else "",
            mandatory=item.get("system_mandatory") is True,
            read_only=item.get("read_only") is True or item.get("field_read_only") is True,
            lookup=item.get("data_type") in _LOOKUPS,
        ))
    return fields


def match_headers(
    headers: list[str], fields: list[FieldInfo], module: str, operation: str
) -> list[dict] | None:
    """Returns the job's `field_mappings`, or None when Zoho can map the header by itself.

    Raises `ImportFailure` naming every column and field at fault.
    """
    matcher = _Matcher(fields)
    columns: list[_Column] = []
    unmatched: list[str] = []
    ambiguous: list[str] = []
    blank = False
    for index, raw in enumerate(headers):
        header = raw.strip()
        if not header:
            blank = True  # a column without a name carries nothing to import
            continue
        found = matcher.match(index, header)
        if isinstance(found, _Column):
            columns.append(found)
        elif found:
            ambiguous.append(header)
        else:
            unmatched.append(header)

    problems = []
    if unmatched:
        problems.append(_plural(unmatched, "column {} matches", "columns {} match")
                        + f" no field of module {module}")
    if ambiguous:
        problems.append(_plural(ambiguous, "column {} matches", "columns {} match")
                        + f" more than one field of module {module}")
    problems.extend(_repeated(columns, module))
    if operation != "update":
        # An update only changes existing records, so it needs no mandatory field.
        # TODO: only `system_mandatory` is checked; fields a layout makes mandatory are still
        # reported by Zoho when the job is created.
        mapped = {column.api_name for column in columns}
        missing = [f.api_name for f in fields
                   if f.mandatory and not f.read_only and f.api_name not in mapped]
        if missing:
            problems.append(
                _plural(missing, "mandatory field {} of module", "mandatory fields {} of module")
                + f" {module} " + ("has" if len(missing) == 1 else "have")
                + " no column (MANDATORY_FIELDS_NOT_MAPPED)"
            )
    auto = not blank and all(column.exact for column in columns)
    if not auto:
        problems.extend(_unkeyed_lookups(columns))
    if problems:
        raise ImportFailure("; ".join(problems))
    if auto:
        return None

    # Zoho ignores values for read-only fields; mapping one could only get the job refused.
    mappings = [_mapping(column) for column in columns
                if column.field is None or not column.field.read_only]
    if not mappings:
        raise ImportFailure(f"no column of the file maps to a field of module {module}"
                            " that bulk write can set")
    return mappings


class _Matcher:
    def __init__(self, fields: list[FieldInfo]) -> None:
        self._by_api = {f.api_name: f for f in fields}
        self._by_label: dict[str, list[FieldInfo]] = {}
        self._by_api_key: dict[str, list[FieldInfo]] = {}
        for f in fields:
            if f.label:
                self._by_label.setdefault(_key(f.label), []).append(f)
            self._by_api_key.setdefault(_key(f.api_name), []).append(f)

    def match(self, index: int, header: str) -> _Column | bool:
        """The column's field; False when nothing matches, True when several fields do."""
        if header == RECORD_ID:
            return _Column(index, header, RECORD_ID, exact=True)
        field = self._by_api.get(header)
        if field is not None:
            return _Column(index, header, field.api_name, exact=True, field=field)
        base, dot, key = header.partition(".")
        field = self._by_api.get(base)
        if dot and key and field is not None and field.lookup:
            return _Column(index, header, field.api_name, exact=True, find_by=key, field=field)

        wanted = _key(header)
        for table in (self._by_label, self._by_api_key):
            candidates = table.get(wanted, [])
            if len(candidates) == 1:
                found = candidates[0]
                return _Column(index, header, found.api_name, exact=False, field=found)
            if candidates:
                return True
        if wanted == RECORD_ID:
            return _Column(index, header, RECORD_ID, exact=False)
        return False


def _repeated(columns: list[_Column], module: str) -> list[str]:
    by_field: dict[str, list[str]] = {}
    for column in columns:
        by_field.setdefault(column.api_name, []).append(column.header)
    return [
        f"columns {_names(headers)} all match field {api_name} of module {module}"
        for api_name, headers in by_field.items() if len(headers) > 1
    ]


def _unkeyed_lookups(columns: list[_Column]) -> list[str]:
    """Lookup columns a mapping cannot carry: Zoho needs to know what the values name."""
    return [
        f"column {_name(column.header)} is the lookup field {column.api_name}: name it"
        f" {column.api_name}.id (record ids) or give a mapping"
        for column in columns
        if column.field is not None and column.field.lookup and not column.find_by
        and not column.field.read_only
    ]


def _mapping(column: _Column) -> dict:
    # TODO: no `format` is sent, so date and date-time columns must be in a layout Zoho reads
    # by default (ISO, or MM/dd/yyyy); Zoho wants `format` for any other.
    mapping: dict = {"api_name": column.api_name, "index": column.index}
    if column.find_by:
        mapping["find_by"] = column.find_by
    return mapping


def _key(name: str) -> str:
    return _RUNS.sub(" ", name).strip().casefold()


def _plural(names: list[str], one: str, several: str) -> str:
    return (one if len(names) == 1 else several).format(_names(names))


def _names(names: list[str]) -> str:
    shown = ", ".join(_name(name) for name in names[:_LISTED])
    if len(names) > _LISTED:
        shown += f" and {len(names) - _LISTED} more"
    return shown


def _name(name: str) -> str:
    return name if len(name) <= _NAME_MAX else name[: _NAME_MAX - 1] + "…"
