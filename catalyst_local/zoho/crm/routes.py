"""The CRM API host's supporting endpoints: org, field metadata and a records read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from catalyst_local.zoho.crm import errors, records
from catalyst_local.zoho.crm.auth import require_org
from catalyst_local.zoho.errors import ZohoError
from catalyst_local.zoho.metadata import MODULES, Field, Module
from catalyst_local.zoho.paths import DC, VERSION

if TYPE_CHECKING:
    from catalyst_local.zoho.sandbox import ZohoSandbox

MAX_PER_PAGE = 200


def describe_field(module: Module, field: Field, added: list[str]) -> dict[str, Any]:
    """One entry of `GET /settings/fields`, in Zoho's shape (a subset of its keys)."""
    lookup: dict[str, Any] = {}
    if field.lookup:
        target = MODULES[field.lookup]
        lookup = {"module": {"api_name": target.api_name, "id": target.id},
                  "display_label": field.label}
    values = [*field.picklist, *(value for value in added if value not in field.picklist)]
    return {
        "api_name": field.api_name,
        "field_label": field.label,
        "display_label": field.label,
        "data_type": field.data_type,
        "length": field.length,
        "system_mandatory": field.mandatory,
        "unique": {"casesensitive": "false"} if field.unique else {},
        "lookup": lookup,
        "pick_list_values": [{"display_value": value, "actual_value": value}
                             for value in values],
        "read_only": field.read_only,
        "field_read_only": field.read_only,
        "custom_field": field.api_name == "Products_of_Interest",
    }


def routes(sandbox: ZohoSandbox) -> list[BaseRoute]:
    def guarded(endpoint_name: str, handler):
        async def endpoint(request: Request) -> Response:
            faulted = await sandbox.faults.take(endpoint_name)
            if faulted is not None:
                return faulted
            try:
                return await handler(request)
            except ZohoError as error:
                return error.response()

        endpoint.__doc__ = handler.__doc__
        return endpoint

    async def org(request: Request) -> Response:
        """`GET /crm/v{n}/org`: the token's org, with the zgid that goes in X-CRM-ORG."""
        return JSONResponse({"org": [require_org(sandbox, request).describe()]})

    async def fields(request: Request) -> Response:
        """`GET /crm/v{n}/settings/fields?module=M`, picklist values added by imports
        included. TODO: layouts are not served; every field is in the one standard layout."""
        current = require_org(sandbox, request)
        name = request.query_params.get("module")
        if not name:
            raise errors.REQUIRED_PARAM_MISSING(details={"param": "module"})
        module = MODULES.get(name)
        if module is None:
            raise errors.INVALID_MODULE(details={"param": "module"})
        added = sandbox.picklist_additions(current.zgid, name)
        return JSONResponse({"fields": [describe_field(module, field, added.get(field.api_name,
                                                                                  []))
                                        for field in module.fields]})

    async def list_records(request: Request) -> Response:
        """`GET /crm/v{n}/{Module}`: stored records, oldest first, `page` and `per_page` (at
        most 200). An empty page answers 204 with no body, as Zoho does. TODO: `fields`,
        `sort_by` and `page_token` are ignored."""
        current = require_org(sandbox, request)
        name = request.path_params["module"]
        if name not in MODULES:
            raise errors.INVALID_MODULE(details={"resource_path_index": 0})
        number = _int_param(request, "page", 1, 1, 10**9)
        per_page = _int_param(request, "per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE)
        data, more = records.page(sandbox.store, current, name, number, per_page)
        if not data:
            return Response(status_code=204)
        return JSONResponse({"data": data, "info": {"per_page": per_page, "count": len(data),
                                                    "page": number, "more_records": more}})

    base = f"/{DC}/api/crm/{VERSION}"
    return [
        Route(f"{base}/org", guarded("org", org), methods=["GET"]),
        Route(f"{base}/settings/fields", guarded("fields", fields), methods=["GET"]),
        Route(base + "/{module}", guarded("records", list_records), methods=["GET"]),
    ]


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise errors.INVALID_PARAM(details={"param": name})
    return int(raw)
