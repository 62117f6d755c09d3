"""`GET /status/<id>`: an import's progress, or a proxy of one Zoho bulk write job.

An id with an import record gets that import's state and, for each batch with a job, the job's
status and counts read live from Zoho. For each COMPLETED job with rows not imported, the result
ZIP is read too, and the batch lists its first `?errors=N` such rows (default 5, at most 100;
0 reads no result), numbered as data rows of the original file; the import lists the first N
over all batches. A digits-only id without a record is taken as a Zoho job id and proxied as the
original CodeLib does (any job the token can see). Anything else is 400.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from crm_import.config import Config
from crm_import.envelope import GENERIC, failure, success
from crm_import.errors import RequestError, ZohoError
from crm_import.names import progress_key
from crm_import.record import ImportRecord
from crm_import.row_errors import ResultUnavailable, job_failures
from crm_import.zoho_http import json_body

log = logging.getLogger("crm_import.status")

_JOB_ID = re.compile(r"[0-9]{1,30}")
ERRORS_DEFAULT = 5
ERRORS_MAX = 100
BAD_ERRORS = f"'errors' should be a whole number from 0 to {ERRORS_MAX}."


def job_status(
    raw_id: str, env: Mapping[str, str], store_factory, crm_factory, errors: str | None = None
):
    """Answers `/status/<raw_id>`; `errors` is the raw `?errors=` query value."""
    if not _JOB_ID.fullmatch(raw_id):
        raise RequestError(400, "'jobId' is invalid.")
    limit = _errors_limit(errors)
    store = store_factory()
    raw_record = store.get_default(progress_key(raw_id))
    crm = crm_factory(Config.from_env(env), store.token_share())
    try:
        if raw_record:
            record = ImportRecord.from_value(raw_id, raw_record)
            return success({"data": _import_view(record, crm, limit)})
        return _proxy(raw_id, crm)
    except ZohoError as exc:
        log.error("Error ::: %s", exc)
        return failure(500, GENERIC)
    finally:
        crm.close()


def _proxy(job_id: str, crm):
    response = crm.job_details(job_id)
    body = json_body(response)
    if response.status_code == 200:
        if not isinstance(body, dict):
            log.error("Error ::: Zoho answered job %s with a body that is not JSON", job_id)
            return failure(500, GENERIC)
        return success({"data": body})
    message = body.get("message") if isinstance(body, dict) else None
    log.error("Reading job %s failed with statusCode %s", job_id, response.status_code)
    return failure(response.status_code, str(message) if message else GENERIC)


def _errors_limit(raw: str | None) -> int:
    if raw is None:
        return ERRORS_DEFAULT
    if not (raw.isascii() and raw.isdigit()) or int(raw) > ERRORS_MAX:
        raise RequestError(400, BAD_ERRORS)
    return int(raw)


def _import_view(record: ImportRecord, crm, limit: int) -> dict:
    view = record.public()
    first_row = 1
    found: list[dict] = []
    for batch in view["batches"]:
        start, first_row = first_row, first_row + batch["rows"]
        batch.update(job_status=None, added=None, updated=None, skipped=None, failed=None)
        if not batch["job_id"]:
            continue
        try:
            response = crm.job_details(batch["job_id"], record.org_id)
        except ZohoError as exc:
            log.warning("Could not read job %s: %s", batch["job_id"], exc)
            continue
        body = json_body(response)
        if response.status_code != 200 or not isinstance(body, dict):
            log.warning("Reading job %s answered %s", batch["job_id"], response.status_code)
            continue
        batch.update(_counts(body))
        if limit and _completed(body):
            rows = _batch_failures(crm, body, batch, start, limit)
            if rows is not None:
                batch["errors"] = rows
                found.extend(rows)
    if limit:
        view["errors"] = found[:limit]
    return view


def _batch_failures(crm, job: dict, batch: dict, first_row: int, limit: int) -> list | None:
    """The batch's first rows not imported; None when its result could not be read."""
    # TODO: results are read one after another with no overall deadline; an import with many
    # failing batches can outlast the 30 s an Advanced I/O call gets.
    if batch["skipped"] == 0 and batch["failed"] == 0:
        return []  # Zoho's counts say every row went in: no result to read
    try:
        return job_failures(crm, job, first_row, limit)
    except (ResultUnavailable, ZohoError) as exc:
        log.warning("Could not read the result of job %s: %s", batch["job_id"], exc)
        return None


def _completed(job: dict) -> bool:
    status = str(job.get("status") or "")
    return status.replace(" ", "").replace("_", "").upper() == "COMPLETED"


def _counts(job: dict) -> dict:
    resources = job.get("resource") if isinstance(job.get("resource"), list) else []
    file = resources[0].get("file") if resources and isinstance(resources[0], dict) else None
    file = file if isinstance(file, dict) else {}
    counts = {
        key: file.get(f"{key}_count") if isinstance(file.get(f"{key}_count"), int) else None
        for key in ("added", "updated", "skipped")
    }
    total = file.get("total_count")
    known = [value for value in counts.values() if value is not None]
    # Zoho reports no failed count: it is what the total leaves after the other three, once the
    # job is done. While it runs, the rows not yet counted are not failures.
    finished = str(job.get("status") or "").replace(" ", "").upper() in ("COMPLETED", "FAILED")
    failed = (total - sum(known) if finished and isinstance(total, int) and len(known) == 3
              else None)
    return {"job_status": job.get("status"), **counts, "failed": failed}
