"""The `crm_bulk_job_service` Advanced I/O function: `POST /job` and `GET /status/<id>`.

It mirrors the original CodeLib's contract: the secret-key check before any routing, the
`{"status","message"}` envelope, the validation messages and their order. It adds an import id
(the File Store file id) to the `/job` answer and an import view to `/status`.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from flask import Response

from crm_import.catalyst_store import CatalystStore
from crm_import.config import max_upload_bytes
from crm_import.envelope import GENERIC, failure, success
from crm_import.errors import RequestError
from crm_import.form import read_form
from crm_import.names import job_key, progress_key, safe_file_name
from crm_import.record import ImportRecord
from crm_import.status import job_status
from crm_import.upload_checks import check_upload
from crm_import.zoho_bulk import ZohoCrm
from crm_import.zoho_http import ZohoHttp

log = logging.getLogger("crm_import.service")

SECRET_HEADER = "catalyst-codelib-secret-key"
FAKE_KEY = "CODELIB_FAKE_KEY"
NO_PERMISSION = (
    "You don't have permission to perform this operation. "
    "Kindly contact your administrator for more details."
)
NOT_FOUND = "We couldn't find the requested url."
SCHEDULED = "Zoho-Crm bulk write will be scheduled in a while."
_STATUS_PATH = re.compile(r"/status/([^/]+)")


def handle(
    request,
    *,
    env: Mapping[str, str] | None = None,
    store_factory: Callable[[], object] = CatalystStore,
    crm_factory: Callable[..., ZohoCrm] | None = None,
) -> Response:
    """Answers one request; the factories are where tests put their own Cache and Zoho."""
    env = os.environ if env is None else env
    try:
        if not _authorised(request, env):
            return failure(401, NO_PERMISSION)
        if request.method == "POST" and request.path == "/job":
            return _create_import(request, env, store_factory)
        match = _STATUS_PATH.fullmatch(request.path)
        if request.method == "GET" and match:
            return job_status(match.group(1), env, store_factory, crm_factory or _quick_crm,
                              request.args.get("errors"))
        return failure(404, NOT_FOUND)
    except RequestError as exc:
        return failure(exc.status, exc.message)
    except Exception as exc:
        log.error("Error ::: %s: %s", type(exc).__name__, exc)
        return failure(500, GENERIC)


def _quick_crm(config, share) -> ZohoCrm:
    # An Advanced I/O call has 30 s: retry briefly rather than wait out long backoffs.
    return ZohoCrm(config, share, ZohoHttp(max_attempts=3, max_delay=5.0))


def _authorised(request, env: Mapping[str, str]) -> bool:
    expected = env.get("CODELIB_SECRET_KEY") or ""
    given = request.headers.get(SECRET_HEADER) or ""
    if not expected or expected == FAKE_KEY or not given or given == FAKE_KEY:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def _create_import(request, env: Mapping[str, str], store_factory) -> Response:
    """Stores the upload in File Store `CrmFiles` and queues its import.

    The import record is written before the Put into segment `CrmFiles`, because that Put fires
    the initiator, which reads the record. The upload itself only ever touches disk.
    """
    work = Path(tempfile.mkdtemp(prefix="crm_import_upload_"))
    try:
        form = read_form(request, work, max_upload_bytes(env))
        spec_of = check_upload(form)
        name = safe_file_name(form.file.filename)

        store = store_factory()
        file_id = store.upload_file(form.file.path, name)
        spec = spec_of(file_id)
        try:
            record = ImportRecord(file_id, spec.module, spec.operation, spec.org_id)
            store.put_default(progress_key(file_id), record.to_value())
            store.put_job(job_key(file_id), spec.to_value())
        except Exception:
            _forget_upload(store, file_id)
            raise
        log.info("Import %s queued: module %s, %d bytes", file_id, spec.module, form.file.size)
        return success({
            "message": SCHEDULED,
            "import_id": file_id,
            "file_id": file_id,
            "cache_key": job_key(file_id),
            "status_url": f"/server/crm_bulk_job_service/status/{file_id}",
        })
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _forget_upload(store, file_id: str) -> None:
    try:
        store.delete_file(file_id)
    except Exception as exc:
        log.error("Could not delete File Store file %s: %s", file_id, type(exc).__name__)
