"""The Bulk Write API on each DC's API host: create a job, read its details, download its
result."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from catalyst_local.zoho.bulk import errors
from catalyst_local.zoho.bulk.plan import build_plan
from catalyst_local.zoho.crm.auth import require_org
from catalyst_local.zoho.errors import ZohoError
from catalyst_local.zoho.paths import DC, VERSION

if TYPE_CHECKING:
    from catalyst_local.zoho.sandbox import ZohoSandbox

DAY_SECONDS = 86_400


def routes(sandbox: ZohoSandbox) -> list[BaseRoute]:
    async def create_job(request: Request) -> Response:
        """`POST /crm/bulk/v{n}/write`: validates the request in a fixed order and queues the
        job (201). TODO: API credits (500 per job) are not counted, and scopes not checked."""
        faulted = await sandbox.faults.take("create_job")
        if faulted is not None:
            return faulted
        try:
            org = require_org(sandbox, request)
            try:
                body = json.loads(await request.body() or b"null")
            except (json.JSONDecodeError, UnicodeDecodeError):
                body = None
            if not isinstance(body, dict):
                raise errors.INVALID_BODY()
            plan = build_plan(body, org, sandbox.store, sandbox.files_dir, sandbox.settings)
        except ZohoError as error:
            return error.response()
        plan.update(version=request.path_params["version"],
                    keep_bom=sandbox.settings.bom == "keep")
        job_id = sandbox.queue.create(plan, org)
        return JSONResponse({"status": "success", "code": "SUCCESS", "message": "success",
                             "details": {"id": job_id,
                                         "created_by": {"id": org.user_id,
                                                        "name": org.user_name}}},
                            status_code=201)

    async def job_details(request: Request) -> Response:
        """`GET /crm/bulk/v{n}/write/{job_id}`: the job's state; 404 RESOURCE_NOT_FOUND for an
        id the token's org does not own."""
        faulted = await sandbox.faults.take("job_details")
        if faulted is not None:
            return faulted
        try:
            org = require_org(sandbox, request)
            job = sandbox.queue.row(request.path_params["job_id"])
            if job is None or job["zgid"] != org.zgid:
                raise errors.RESOURCE_NOT_FOUND()
        except ZohoError as error:
            return error.response()
        return JSONResponse(sandbox.queue.details(job))

    async def download(request: Request) -> Response:
        """The result ZIP of a finished job, with `Authorization` required; an expired or
        foreign link answers 403 "Link not valid"."""
        faulted = await sandbox.faults.take("download")
        if faulted is not None:
            return faulted
        try:
            org = require_org(sandbox, request)
            job_id = request.path_params["job_id"]
            job = sandbox.queue.row(job_id)
            retention = sandbox.settings.result_retention_days * DAY_SECONDS
            path = sandbox.queue.results_dir / f"{job_id}.zip"
            if (job is None or job["zgid"] != org.zgid or job["status"] != "COMPLETED"
                    or request.path_params["org"] not in (org.zgid, f"org{org.zgid}")
                    or request.path_params["name"] != f"{job_id}.zip"
                    or sandbox.clock() > job["finished"] + retention or not path.exists()):
                raise errors.link_not_valid()
        except ZohoError as error:
            return error.response()
        return FileResponse(path, media_type="application/zip", filename=f"{job_id}.zip")

    result = "/crm/{org}/bulk-write/{job_id}/{name}"
    return [
        Route(f"/{DC}/api/crm/bulk/{VERSION}/write", create_job, methods=["POST"]),
        Route(f"/{DC}/api/crm/bulk/{VERSION}/write/{{job_id}}", job_details, methods=["GET"]),
        Route(f"/{DC}/api/{VERSION}{result}", download, methods=["GET"]),
        Route(f"/{DC}/download/{VERSION}{result}", download, methods=["GET"]),
    ]
