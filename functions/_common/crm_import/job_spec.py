"""What one import asks for: the value of the `CRM_BULK_JOB_<fileId>` Cache key.

The three camelCase keys of the original CodeLib (`orgId`, `fileId`, `moduleName`) stay; the
optional `operation`, `findBy`, `fieldMappings` and `encoding` are added only when they differ
from the original's behaviour, so a value written by the original still reads here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

OPERATIONS = ("insert", "update", "upsert")


class SpecError(ValueError):
    """The Cache value does not describe an import."""


@dataclass(frozen=True)
class JobSpec:
    org_id: str
    file_id: str
    module: str
    operation: str = "insert"
    find_by: str | None = None
    field_mappings: list[dict] | None = None
    encoding: str | None = None  # None: UTF-8

    def to_value(self) -> str:
        value: dict = {"orgId": self.org_id, "fileId": self.file_id, "moduleName": self.module}
        if self.operation != "insert":
            value["operation"] = self.operation
        if self.find_by:
            value["findBy"] = self.find_by
        if self.field_mappings is not None:
            value["fieldMappings"] = self.field_mappings
        if self.encoding:
            value["encoding"] = self.encoding
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_value(cls, raw: object) -> JobSpec:
        if not isinstance(raw, str):
            raise SpecError("the cache value is not a string")
        try:
            value = json.loads(raw)
        except ValueError:
            raise SpecError("the cache value is not JSON") from None
        if not isinstance(value, dict):
            raise SpecError("the cache value is not a JSON object")

        fields = {}
        for key in ("orgId", "fileId", "moduleName"):
            item = value.get(key)
            if isinstance(item, bool) or not isinstance(item, (str, int)) or str(item) == "":
                raise SpecError(f"the cache value has no valid '{key}'")
            fields[key] = str(item).strip()
            if not fields[key]:
                raise SpecError(f"the cache value has no valid '{key}'")

        operation = value.get("operation", "insert")
        if operation not in OPERATIONS:
            raise SpecError("the cache value has an invalid 'operation'")
        find_by = value.get("findBy")
        if find_by is not None and (not isinstance(find_by, str) or not find_by):
            raise SpecError("the cache value has an invalid 'findBy'")
        if operation != "insert" and not find_by:
            raise SpecError(f"'findBy' is required for {operation}")
        mappings = value.get("fieldMappings")
        if mappings is not None and not valid_field_mappings(mappings):
            raise SpecError("the cache value has invalid 'fieldMappings'")
        encoding = value.get("encoding")
        if encoding is not None and not isinstance(encoding, str):
            raise SpecError("the cache value has an invalid 'encoding'")
        return cls(
            org_id=fields["orgId"],
            file_id=fields["fileId"],
            module=fields["moduleName"],
            operation=operation,
            find_by=find_by,
            field_mappings=mappings,
            encoding=encoding or None,
        )

    def job_body(self, zoho_file_id: str) -> dict:
        """The create-job request for one uploaded batch."""
        resource: dict = {
            "type": "data",
            "module": {"api_name": self.module},
            "file_id": zoho_file_id,
        }
        if self.find_by:
            resource["find_by"] = self.find_by
        if self.field_mappings is not None:
            resource["field_mappings"] = self.field_mappings
        return {
            "operation": self.operation,
            "character_encoding": self.encoding or "UTF-8",
            "resource": [resource],
        }


def valid_field_mappings(mappings: object) -> bool:
    """Zoho's shape: a non-empty list of objects, each with a non-empty string `api_name`."""
    if not isinstance(mappings, list) or not mappings:
        return False
    for item in mappings:
        if not isinstance(item, dict):
            return False
        if not isinstance(item.get("api_name"), str) or not item["api_name"]:
            return False
        index = item.get("index")
        if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
            return False
    return True
