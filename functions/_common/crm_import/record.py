"""The import record: an import's state and its batches, kept as one Cache value.

The record lives in the Default segment under `CRM_BULK_JOB_PROGRESS_<fileId>`; the import id is
the File Store file id. Keys are compact because a Cache value holds at most 16,000 characters;
200 fully used batches take about 13,000. Like every Cache entry it lives at most 48 hours after
its last write, so `/status` forgets an import two days after its last change.

When the importer matched the header row to the module's fields itself, the record says so, and
keeps the chosen `field_mappings` too while the whole value still fits: a resumed run then sends
the same mapping without reading the field metadata again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from crm_import.config import CACHE_VALUE_MAX

QUEUED = "queued"
SPLITTING = "splitting"
UPLOADING = "uploading"
SUBMITTED = "submitted"  # every batch has a bulk write job
FAILED = "failed"

# Batch states
PENDING = "pending"
UPLOADED = "uploaded"  # the ZIP is in Zoho, no job yet
JOB_CREATED = "submitted"
UNCERTAIN = "uncertain"  # the job request was sent and its answer lost

_BATCH_CODES = {PENDING: "p", UPLOADED: "u", JOB_CREATED: "j", UNCERTAIN: "x"}
_BATCH_STATES = {code: state for state, code in _BATCH_CODES.items()}

# How the header row reached Zoho, when the upload named no mapping
AUTO_MAPPED = "auto"  # every header is an API name: no field_mappings, Zoho maps it
MATCHED = "matched"  # the importer matched headers to fields and sends field_mappings
_MAPPING_CODES = {AUTO_MAPPED: "a", MATCHED: "m"}
_MAPPINGS = {code: mapping for mapping, code in _MAPPING_CODES.items()}
_REASON_MAX = 500


@dataclass
class BatchProgress:
    index: int
    rows: int
    size: int
    zoho_file_id: str | None = None
    job_id: str | None = None
    state: str = PENDING

    def public(self) -> dict:
        return {
            "index": self.index,
            "rows": self.rows,
            "bytes": self.size,
            "zoho_file_id": self.zoho_file_id,
            "job_id": self.job_id,
            "state": self.state,
        }


@dataclass
class ImportRecord:
    import_id: str
    module: str
    operation: str
    org_id: str
    state: str = QUEUED
    total_rows: int = 0
    reason: str | None = None
    batches: list[BatchProgress] = field(default_factory=list)
    mapping: str | None = None  # AUTO_MAPPED, MATCHED, or None: not chosen by the importer
    field_mappings: list[dict] | None = None  # the MATCHED mapping, when it fits the value

    @property
    def all_submitted(self) -> bool:
        return bool(self.batches) and all(b.job_id for b in self.batches)

    def fail(self, reason: str) -> None:
        self.state = FAILED
        self.reason = reason[:_REASON_MAX]

    def to_value(self) -> str:
        compact = {
            "s": self.state,
            "m": self.module,
            "o": self.operation,
            "g": self.org_id,
            "n": self.total_rows,
            "b": [
                [b.rows, b.size, b.zoho_file_id, b.job_id, _BATCH_CODES[b.state]]
                for b in self.batches
            ],
        }
        if self.reason:
            compact["r"] = self.reason
        if self.mapping:
            compact["k"] = _MAPPING_CODES[self.mapping]
        value = _dumps(compact)
        if self.mapping == MATCHED and self.field_mappings:
            compact["f"] = [_pack(item) for item in self.field_mappings]
            with_mappings = _dumps(compact)
            if len(with_mappings) <= CACHE_VALUE_MAX:
                return with_mappings
        return value

    @classmethod
    def from_value(cls, import_id: str, value: str) -> ImportRecord:
        """Reads a stored record; raises ValueError when the value is not one."""
        data = json.loads(value)
        if not isinstance(data, dict) or not isinstance(data.get("b"), list):
            raise ValueError("not an import record")
        batches = [
            BatchProgress(index, rows, size, zoho_file_id, job_id, _BATCH_STATES[code])
            for index, (rows, size, zoho_file_id, job_id, code) in enumerate(data["b"], start=1)
        ]
        mapping = _MAPPINGS[data["k"]] if "k" in data else None
        packed = data.get("f")
        return cls(
            import_id=import_id,
            module=str(data["m"]),
            operation=str(data["o"]),
            org_id=str(data["g"]),
            state=str(data["s"]),
            total_rows=int(data["n"]),
            reason=data.get("r"),
            batches=batches,
            mapping=mapping,
            field_mappings=[_unpack(item) for item in packed] if packed else None,
        )

    def public(self) -> dict:
        body = {
            "import_id": self.import_id,
            "state": self.state,
            "module": self.module,
            "operation": self.operation,
            "total_rows": self.total_rows,
            "batches": [b.public() for b in self.batches],
        }
        if self.reason:
            body["reason"] = self.reason
        if self.mapping:
            body["mapping"] = self.mapping
        if self.field_mappings:
            body["field_mappings"] = self.field_mappings
        return body


def _dumps(compact: dict) -> str:
    return json.dumps(compact, separators=(",", ":"))


def _pack(item: dict) -> list:
    packed = [item["api_name"], item["index"]]
    if item.get("find_by"):
        packed.append(item["find_by"])
    return packed


def _unpack(packed: list) -> dict:
    item = {"api_name": str(packed[0]), "index": int(packed[1])}
    if len(packed) > 2:
        item["find_by"] = str(packed[2])
    return item
