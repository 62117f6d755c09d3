"""CRM API errors shared by the API host's endpoints (auth, org, fields, records)."""

from __future__ import annotations

from catalyst_local.zoho.errors import CrmError

INVALID_TOKEN = CrmError(401, "INVALID_TOKEN", "invalid oauth token")
# Wording inferred: Zoho's docs name the code for stale tokens but not its message.
AUTHENTICATION_FAILURE = CrmError(401, "AUTHENTICATION_FAILURE", "Authentication failed")
INVALID_MODULE = CrmError(400, "INVALID_MODULE", "the module name given seems to be invalid")
REQUIRED_PARAM_MISSING = CrmError(400, "REQUIRED_PARAM_MISSING",
                                  "One of the expected parameter is missing")
INVALID_PARAM = CrmError(400, "INVALID_DATA", "invalid data")
