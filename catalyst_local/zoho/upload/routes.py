"""The bulk upload host: `POST /zoho/{dc}/upload/crm/v{n}/upload` (Zoho's `content.zohoapis.*`,
`upload.zoho.com` and the other upload aliases, all one service here)."""

from __future__ import annotations

import logging
import secrets
import zipfile
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from catalyst_local.ids import new_id
from catalyst_local.zoho.crm.auth import require_org
from catalyst_local.zoho.errors import CrmError, ZohoError
from catalyst_local.zoho.paths import DC, VERSION
from catalyst_local.zoho.timefmt import iso
from catalyst_local.zoho.upload import errors
from catalyst_local.zoho.upload.multipart import MalformedUpload, UploadTooLarge, receive_file

if TYPE_CHECKING:
    from catalyst_local.zoho.sandbox import ZohoSandbox

logger = logging.getLogger("catalyst_local.zoho")

MAX_ZIP_BYTES = 25 * 1024 * 1024


def routes(sandbox: ZohoSandbox) -> list[BaseRoute]:
    async def upload(request: Request) -> Response:
        """Stores one ZIP for a later bulk write job and answers its file id.

        Mirrors Zoho's checks in order: the access token, the `feature: bulk-write` and
        `X-CRM-ORG` headers, a real multipart body with one `file` part, the 25 MB limit and
        the ZIP signature. The ZIP's contents (one CSV, row and column limits) are checked when
        a job uses it, as Zoho does. TODO: the upload host's own 401 shape (`ERROR_CODE`) is not
        used; auth failures answer like the API host.
        """
        faulted = await sandbox.faults.take("upload")
        if faulted is not None:
            return faulted
        try:
            org = require_org(sandbox, request)
        except ZohoError as error:
            return error.response()
        if (request.headers.get("feature") != "bulk-write"
                or request.headers.get("x-crm-org") != org.zgid):
            return errors.header_error().response()

        now = sandbox.clock()

        def fail(entry: CrmError) -> Response:
            status = 200 if sandbox.settings.upload_error_status_200 else None
            error = entry(details={"created_time": iso(now, org.utc_offset_minutes)},
                          status=status)
            return error.response()

        incoming = sandbox.files_dir / f".incoming-{secrets.token_hex(8)}"
        try:
            try:
                received = await receive_file(request, incoming, MAX_ZIP_BYTES)
            except MalformedUpload:
                return fail(errors.INVALID_REQUEST)
            except UploadTooLarge:
                return fail(errors.FILE_TOO_LARGE)
            if not zipfile.is_zipfile(incoming):
                return fail(errors.INVALID_FILE_FORMAT)
            file_id = new_id(19)
            incoming.rename(sandbox.files_dir / f"{file_id}.zip")
        finally:
            incoming.unlink(missing_ok=True)

        sandbox.store.run("INSERT INTO files (file_id, zgid, dc, name, size, created) VALUES "
                          "(?, ?, ?, ?, ?, ?)", file_id, org.zgid, org.dc, received.filename,
                          received.size, now)
        logger.info("File %s uploaded (%d bytes)", file_id, received.size)
        return JSONResponse({"status": "success", "code": "FILE_UPLOAD_SUCCESS",
                             "message": "file uploaded.",
                             "details": {"file_id": file_id,
                                         "created_time": iso(now, org.utc_offset_minutes)}})

    return [Route(f"/{DC}/upload/crm/{VERSION}/upload", upload, methods=["POST"])]
