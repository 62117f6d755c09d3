"""The sandbox's own admin endpoints under `/zoho/_sandbox` (not Zoho APIs): state, faults,
settings, reset and job control, for tests, the CLI and the console. They never show a token
or a client secret."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from catalyst_local.zoho.crm import records
from catalyst_local.zoho.faults import FaultError
from catalyst_local.zoho.metadata import MODULES, UNSUPPORTED_MODULES
from catalyst_local.zoho.settings import SettingError
from catalyst_local.zoho.timefmt import iso

if TYPE_CHECKING:
    from catalyst_local.zoho.sandbox import ZohoSandbox


def _refused(message: str) -> JSONResponse:
    return JSONResponse({"status": "failure", "message": message}, status_code=400)


async def _json(request: Request) -> dict[str, Any] | None:
    try:
        body = json.loads(await request.body() or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def routes(sandbox: ZohoSandbox) -> list[BaseRoute]:
    async def overview(request: Request) -> Response:
        orgs = sandbox.orgs()
        return JSONResponse({
            "orgs": [{"zgid": org.zgid, "org_id": org.org_id, "dc": org.dc,
                      "company_name": org.company_name,
                      "api_domain": sandbox.api_domain(org.dc),
                      "modules": {name: records.count(sandbox.store, org.zgid, name)
                                  for name in MODULES}} for org in orgs],
            "clients": sandbox.clients(),
            "modules": list(MODULES),
            "unsupported_modules": list(UNSUPPORTED_MODULES),
            "jobs": len(sandbox.queue.all()),
            "faults": sandbox.faults.describe(),
            "settings": json.loads(sandbox.settings.to_json()),
        })

    async def add_fault(request: Request) -> Response:
        body = await _json(request)
        if body is None:
            return _refused("The body must be a JSON object.")
        try:
            fault = sandbox.faults.add(body)
        except FaultError as error:
            return _refused(str(error))
        return JSONResponse({"endpoint": body["endpoint"], **fault.describe()}, status_code=201)

    async def clear_faults(request: Request) -> Response:
        sandbox.faults.clear()
        return JSONResponse({"status": "success"})

    async def settings(request: Request) -> Response:
        if request.method == "POST":
            body = await _json(request)
            if body is None:
                return _refused("The body must be a JSON object.")
            try:
                sandbox.update_settings(body)
            except SettingError as error:
                return _refused(str(error))
        return JSONResponse(json.loads(sandbox.settings.to_json()))

    async def reset(request: Request) -> Response:
        sandbox.reset()
        return JSONResponse({"status": "success"})

    async def advance(request: Request) -> Response:
        return JSONResponse({"finished": await sandbox.queue.advance_all()})

    async def jobs(request: Request) -> Response:
        return JSONResponse({"jobs": sandbox.jobs()})

    return [
        Route("/_sandbox", overview, methods=["GET"]),
        Route("/_sandbox/faults", add_fault, methods=["POST"]),
        Route("/_sandbox/faults", clear_faults, methods=["DELETE"]),
        Route("/_sandbox/settings", settings, methods=["GET", "POST"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/jobs/advance", advance, methods=["POST"]),
        Route("/_sandbox/jobs", jobs, methods=["GET"]),
    ]


def job_summary(sandbox: ZohoSandbox, job) -> dict[str, Any]:
    plan = json.loads(job["plan"])
    outcome = json.loads(job["outcome"]) if job["outcome"] else {}
    org = sandbox.org(job["zgid"])
    return {"id": job["id"], "status": job["status"], "operation": plan["operation"],
            "module": plan["module"], "zgid": job["zgid"], "file_id": plan["file_id"],
            "total_count": plan["total_count"], **outcome,
            "created_time": iso(job["created"], org.utc_offset_minutes if org else 0)}
