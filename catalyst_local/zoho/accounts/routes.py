"""Zoho Accounts' token endpoints for every data center: `/zoho/{dc}/accounts/oauth/v2/...`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from catalyst_local.zoho.accounts import errors
from catalyst_local.zoho.accounts.tokens import ACCESS_TOKEN_SECONDS
from catalyst_local.zoho.errors import ZohoError
from catalyst_local.zoho.paths import DC

if TYPE_CHECKING:
    from catalyst_local.zoho.sandbox import ZohoSandbox


async def _params(request: Request) -> dict[str, str]:
    """Query-string parameters, overlaid with a form body's: Zoho's docs use the query string
    and its SDKs a form-encoded body, and the server takes either."""
    params = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        params.update({key: value for key, value in form.items() if isinstance(value, str)})
        await form.close()
    return params


def routes(sandbox: ZohoSandbox) -> list[BaseRoute]:
    def token_answer(dc: str, access_token: str, refresh_token: str | None) -> dict[str, object]:
        answer: dict[str, object] = {"access_token": access_token}
        if refresh_token is not None:
            answer["refresh_token"] = refresh_token
        answer.update(api_domain=sandbox.api_domain(dc), token_type="Bearer")
        if sandbox.settings.legacy_expiry:
            answer.update(expires_in_sec=ACCESS_TOKEN_SECONDS,
                          expires_in=ACCESS_TOKEN_SECONDS * 1000)
        else:
            answer["expires_in"] = ACCESS_TOKEN_SECONDS
        return answer

    async def token(request: Request) -> Response:
        """The token endpoint: refresh-token and authorization-code grants.

        Errors come back as HTTP 200 with an `error` key, as Zoho answers them. Scopes are not
        modelled, so no answer carries `scope`.
        """
        faulted = await sandbox.faults.take("token")
        if faulted is not None:
            return faulted
        dc = request.path_params["dc"]
        params = await _params(request)
        grant_type = params.get("grant_type")
        client_id, client_secret = params.get("client_id", ""), params.get("client_secret", "")
        try:
            if grant_type == "refresh_token":
                access = sandbox.accounts.refresh(dc, client_id, client_secret,
                                                  params.get("refresh_token", ""))
                return JSONResponse(token_answer(dc, access, None))
            if grant_type == "authorization_code":
                access, refresh = sandbox.accounts.exchange_code(
                    dc, client_id, client_secret, params.get("code", ""),
                    params.get("redirect_uri"))
                return JSONResponse(token_answer(dc, access, refresh))
            raise errors.unsupported_grant_type()
        except ZohoError as error:
            return error.response()

    async def revoke(request: Request) -> Response:
        """Revokes a refresh token (`token=`), and with it every access token it made."""
        faulted = await sandbox.faults.take("token")
        if faulted is not None:
            return faulted
        params = await _params(request)
        try:
            sandbox.accounts.revoke(request.path_params["dc"], params.get("token", ""))
        except ZohoError as error:
            return error.response()
        return JSONResponse({"status": "success"})

    prefix = f"/{DC}/accounts/oauth/v2"
    return [Route(f"{prefix}/token", token, methods=["POST"]),
            Route(f"{prefix}/token/revoke", revoke, methods=["POST"])]
