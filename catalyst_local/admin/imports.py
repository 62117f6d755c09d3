"""CSV imports as the bundled CRM functions record them, joined with the sandbox's job states.

`crm_bulk_job_service` and `crm_bulk_job_initiator` keep one compact JSON record per import in
the Default segment, under `CRM_BULK_JOB_PROGRESS_<file id>`. This module reads that format
without importing the functions' code, which lives outside the package.
"""

from __future__ import annotations

import json
from typing import Any

from catalyst_local.runtime import Runtime

PROGRESS_KEY_PREFIX = "CRM_BULK_JOB_PROGRESS_"
BATCH_STATES = {"p": "pending", "u": "uploaded", "j": "submitted", "x": "uncertain"}


def imports(runtime: Runtime) -> list[dict[str, Any]]:
    """Every import record in the Default segment, each batch with its job's sandbox state."""
    assert runtime.cache is not None
    jobs = {job["id"]: job for job in runtime.sandbox.jobs()} if runtime.sandbox else {}
    default = runtime.cache.segments()[0]
    found = []
    for item in runtime.cache.entries(default.id):
        if item["cache_name"].startswith(PROGRESS_KEY_PREFIX):
            import_id = item["cache_name"][len(PROGRESS_KEY_PREFIX):]
            found.append(read_record(import_id, item["cache_value"], jobs))
    return found


def read_record(import_id: str, value: str, jobs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One stored record as `{import_id, state, module, ..., batches}`; a value that is not a
    record reads as state `unreadable`."""
    try:
        data = json.loads(value)
        batches = [_batch(index, entry, jobs) for index, entry in enumerate(data["b"], start=1)]
        record = {"import_id": import_id, "state": str(data["s"]), "module": str(data["m"]),
                  "operation": str(data["o"]), "org_id": str(data["g"]),
                  "total_rows": int(data["n"]), "reason": data.get("r"), "batches": batches}
    except (ValueError, KeyError, TypeError, IndexError):
        return {"import_id": import_id, "state": "unreadable", "module": None,
                "operation": None, "org_id": None, "total_rows": None, "reason": None,
                "batches": []}
    return record


def _batch(index: int, entry: list[Any], jobs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rows, size, zoho_file_id, job_id, code = entry
    job = jobs.get(job_id) if job_id else None
    return {"index": index, "rows": rows, "bytes": size, "zoho_file_id": zoho_file_id,
            "job_id": job_id, "state": BATCH_STATES[code],
            "job_state": job["status"] if job else None}
