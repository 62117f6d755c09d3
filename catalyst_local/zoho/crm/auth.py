"""The API hosts' token check: `Authorization: Zoho-oauthtoken <token>` from this DC."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request

from catalyst_local.zoho.crm import errors
from catalyst_local.zoho.orgs import Org

if TYPE_CHECKING:
    from catalyst_local.zoho.sandbox import ZohoSandbox


def require_org(sandbox: ZohoSandbox, request: Request) -> Org:
    """The org the request's access token acts for.

    A missing, unknown, expired, evicted or other-DC token gets 401 INVALID_TOKEN, or
    AUTHENTICATION_FAILURE under that setting. TODO: scopes are not modelled, so
    OAUTH_SCOPE_MISMATCH is never answered.
    """
    grant = sandbox.accounts.authenticate(request.path_params["dc"],
                                          request.headers.get("authorization"))
    org = sandbox.org(grant.zgid) if grant is not None else None
    if org is None:
        if sandbox.settings.authentication_failure:
            raise errors.AUTHENTICATION_FAILURE()
        raise errors.INVALID_TOKEN()
    return org
