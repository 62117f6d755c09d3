"""`GET /status/<id>`: an import's progress, or a proxy of one Zoho bulk write job.

An id with an import record gets that import's state and, for each batch with a job, the job's
status and counts read live from Zoho. A digits-only id without a record is taken as a Zoho job
id and proxied as the original CodeLib does (any job the token can see). Anything else is 400.
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
from crm_import.zoho_http import json_body

log = logging.getLogger("crm_import.status")

_JOB_ID = re.compile(r"[0-9]{1,30}")


def job_status(raw_id: str, env: Mapping[str, str], store_factory, crm_factory):
    if not _JOB_ID.fullmatch(raw_id):
        raise RequestError(400, "'jobId' is invalid.")
    store = store_factory()
    raw_record = store.get_default(progress_key(raw_id))
    crm = crm_factory(Config.from_env(env), store.token_share())
    try:
        if raw_record:
            record = ImportRecord.from_value(raw_id, raw_record)
            return success({"data": _import_view(record, crm)})
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


def _import_view(record: ImportRecord, crm) -> dict:
    view = record.public()
    for batch in view["batches"]:
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
    return view


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
    # Zoho reports no failed count: it is what the total leaves after the other three.
    failed = total - sum(known) if isinstance(total, int) and len(known) == 3 else None
    return {"job_status": job.get("status"), **counts, "failed": failed}
