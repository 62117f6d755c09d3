"""Row rules of a bulk write job: values, mandatory fields, lookups, duplicates and the
insert / update / upsert semantics (§9 of the contract).

Pure logic over records held in memory; the job writes the outcome in one transaction.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from catalyst_local.ids import new_id
from catalyst_local.zoho.bulk.values import convert
from catalyst_local.zoho.metadata import MODULES, SYSTEM_FIELDS, Module
from catalyst_local.zoho.orgs import Org

# The order codes appear in a row's ERRORS cell.
CODE_ORDER = ("MANDATORY_NOT_FOUND", "INVALID_DATA", "DUPLICATE_DATA", "RESOURCE_NOT_FOUND")


@dataclass
class Outcome:
    status: str  # added, updated or skipped
    record_id: str = ""
    errors: str = ""


@dataclass
class Existing:
    """A module's records, indexed for matching and duplicate checks."""

    records: dict[str, dict[str, Any]]
    by_key: dict[str, dict[str, list[str]]] = dataclasses.field(default_factory=dict)

    def index(self, api_name: str) -> dict[str, list[str]]:
        if api_name not in self.by_key:
            index: dict[str, list[str]] = defaultdict(list)
            for record_id, data in self.records.items():
                value = data.get(api_name)
                if isinstance(value, str) and value:
                    index[value.lower()].append(record_id)
            self.by_key[api_name] = index
        return self.by_key[api_name]

    def find(self, api_name: str, value: str) -> list[str]:
        if api_name == "id":
            return [value] if value in self.records else []
        return list(self.index(api_name).get(value.lower(), []))

    def put(self, record_id: str, data: dict[str, Any], old: dict[str, Any] | None) -> None:
        for api_name, index in self.by_key.items():
            before, after = (old or {}).get(api_name), data.get(api_name)
            if isinstance(before, str) and before and record_id in index.get(before.lower(), []):
                index[before.lower()].remove(record_id)
            if isinstance(after, str) and after:
                index[after.lower()].append(record_id)
        self.records[record_id] = data


class RowEngine:
    def __init__(self, plan: dict[str, Any], org: Org, existing: Existing,
                 targets: dict[str, Existing], known_picklist: dict[str, set[str]]):
        self.plan, self.org, self.existing, self.targets = plan, org, existing, targets
        self.module: Module = MODULES[plan["module"]]
        self.inserts: dict[str, dict[str, Any]] = {}
        self.updates: dict[str, dict[str, Any]] = {}
        # Insertion-ordered, so added values keep the order rows brought them in.
        self.picklist_additions: dict[tuple[str, str], None] = {}
        self._known_picklist = known_picklist

    def process(self, row: list[str]) -> Outcome:
        problems: dict[str, list[str]] = defaultdict(list)
        values, key = self._values(row, problems)
        operation, find_by = self.plan["operation"], self.plan["find_by"]
        match: str | None = None
        if find_by:
            if find_by != "id":
                key = values.get(find_by) if isinstance(values.get(find_by), str) else ""
            matches = self.existing.find(find_by, key) if key else []
            match = matches[0] if len(matches) == 1 else None
            if operation == "insert" and matches:
                return Outcome("skipped")
            if operation == "update" and match is None:
                # Update never creates: a row with no match is skipped.
                code = "MANDATORY_NOT_FOUND" if not key else "RESOURCE_NOT_FOUND"
                problems[code].append(find_by)
                return Outcome("skipped", errors=_errors_cell(problems))
        if match is not None and operation != "insert":
            return self._update(match, values, problems)
        return self._insert(values, problems)

    def _values(self, row: list[str], problems: dict[str, list[str]]
                ) -> tuple[dict[str, Any], str]:
        values: dict[str, Any] = {}
        key = ""
        for mapping in self.plan["mappings"]:
            index, name = mapping["index"], mapping["api_name"]
            raw = row[index] if index is not None and index < len(row) else ""
            if raw == "" and mapping["default_value"] is not None:
                raw = str(mapping["default_value"])
            if name == "id":
                key = raw.strip()
                continue
            field = self.module.field(name)
            # System fields are never set by bulk write; their cells are ignored, not refused.
            if field is None or field.read_only or name in SYSTEM_FIELDS:
                continue
            if field.data_type in ("lookup", "ownerlookup") and not mapping["find_by"]:
                continue
            if raw == "":
                values[name] = None
                continue
            if field.data_type in ("lookup", "ownerlookup"):
                value = self._lookup(field.data_type, mapping, raw.strip())
            else:
                value = convert(field, raw, mapping["format"], self.org.utc_offset_minutes)
            if value is None:
                problems["INVALID_DATA"].append(name)
                continue
            if field.data_type in ("picklist", "multiselectpicklist"):
                self._note_picklist(name, value if isinstance(value, list) else [value])
            values[name] = value
        return values, key

    def _lookup(self, kind: str, mapping: dict[str, Any], raw: str) -> dict[str, Any] | None:
        if kind == "ownerlookup":
            user = self.org.user
            wanted = user["id"] if mapping["find_by"] == "id" else user["email"].lower()
            return dict(user) if raw.lower() == wanted.lower() else None
        target = MODULES[mapping["module"]]
        existing = self.targets[target.api_name]
        matches = existing.find(mapping["find_by"], raw)
        # No match, or several (an ambiguous name), is a row error rather than a wrong link.
        if len(matches) != 1:
            return None
        record = existing.records[matches[0]]
        return {"name": record.get(target.display_field), "id": matches[0]}

    def _note_picklist(self, name: str, chosen: list[str]) -> None:
        known = self._known_picklist.setdefault(name, set())
        for value in chosen:
            if value not in known:
                # Bulk write adds an unknown picklist value to the field silently.
                known.add(value)
                self.picklist_additions[(name, value)] = None

    def _duplicate(self, values: dict[str, Any], record_id: str | None,
                   problems: dict[str, list[str]]) -> None:
        unique = self.module.unique_field
        value = values.get(unique.api_name) if unique else None
        if unique is None or not isinstance(value, str) or not value:
            return
        if any(other != record_id for other in self.existing.find(unique.api_name, value)):
            problems["DUPLICATE_DATA"].append(unique.api_name)

    def _insert(self, values: dict[str, Any], problems: dict[str, list[str]]) -> Outcome:
        invalid = problems.get("INVALID_DATA", [])
        for mandatory in self.module.mandatory:
            name = mandatory.api_name
            if values.get(name) in (None, "", []) and name not in invalid:
                problems["MANDATORY_NOT_FOUND"].append(name)
        if not problems:
            self._duplicate(values, None, problems)
        if problems:
            return Outcome("skipped", errors=_errors_cell(problems))
        record_id = new_id(19)
        data = {name: value for name, value in values.items() if value is not None}
        self.existing.put(record_id, data, None)
        self.inserts[record_id] = data
        return Outcome("added", record_id)

    def _update(self, record_id: str, values: dict[str, Any],
                problems: dict[str, list[str]]) -> Outcome:
        old = self.existing.records[record_id]
        data = dict(old)
        for name, value in values.items():
            if value is None:
                if self.plan["ignore_empty"]:
                    continue
                if self.module.field(name).mandatory:
                    problems["MANDATORY_NOT_FOUND"].append(name)
                    continue
            data[name] = value
        if not problems:
            self._duplicate(data, record_id, problems)
        if problems:
            return Outcome("skipped", errors=_errors_cell(problems))
        self.existing.put(record_id, data, old)
        if record_id in self.inserts:
            self.inserts[record_id] = data
        else:
            self.updates[record_id] = data
        return Outcome("updated", record_id)


def _errors_cell(problems: dict[str, list[str]]) -> str:
    """`CODE-col1,col2:CODE2-col3`, Zoho's ERRORS column format."""
    codes = sorted(problems, key=lambda code: CODE_ORDER.index(code)
                   if code in CODE_ORDER else len(CODE_ORDER))
    return ":".join(f"{code}-{','.join(dict.fromkeys(problems[code]))}" for code in codes)
