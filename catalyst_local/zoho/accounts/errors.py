"""Zoho Accounts token-endpoint errors: HTTP 200 with an `error` key, as the cloud answers."""

from __future__ import annotations

from catalyst_local.zoho.errors import ZohoError

THROTTLE_DESCRIPTION = ("You have made too many requests continuously. Please try again after "
                        "some time.")


def invalid_client() -> ZohoError:
    """The client id is unknown at this data center, or its secret does not match."""
    return ZohoError(200, {"error": "invalid_client"})


def invalid_code() -> ZohoError:
    """A refresh token that is unknown, empty, revoked or evicted, or a used or expired code."""
    return ZohoError(200, {"error": "invalid_code"})


def access_denied() -> ZohoError:
    """The refresh throttle: more than 10 refreshes per refresh token in 10 minutes."""
    return ZohoError(200, {"error": "Access Denied", "error_description": THROTTLE_DESCRIPTION,
                           "status": "failure"})


def unsupported_grant_type() -> ZohoError:
    # Inferred: the standard OAuth value; not seen in CRM sources.
    return ZohoError(200, {"error": "unsupported_grant_type"})


def invalid_token() -> ZohoError:
    """Revoking a token the server does not know."""
    return ZohoError(200, {"error": "invalid_token"})
