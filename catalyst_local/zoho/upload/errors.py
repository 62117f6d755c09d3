"""Upload host errors: Zoho's `{code, details: {created_time}, message}` body, and the
header-style answer to a missing or invalid `feature` / `X-CRM-ORG`."""

from __future__ import annotations

from catalyst_local.zoho.errors import CrmError, ZohoError

INVALID_FILE_FORMAT = CrmError(400, "INVALID_FILE_FORMAT",
                               "The file is not a zip file. Only zip files are supported.")
FILE_TOO_LARGE = CrmError(413, "FILE_TOO_LARGE", "The file exceeds the size limit of 25 MB.")
# Inferred: Zoho's answer to a body that is not multipart/form-data is undocumented.
INVALID_REQUEST = CrmError(400, "INVALID_REQUEST",
                           "The body must be multipart/form-data, with a boundary and one "
                           "part named file.")

HEADER_ERROR_TEXT = "Please check if the feature and X-CRM-ORG headers are present and valid."


def header_error() -> ZohoError:
    """The SDK's header-style error: `x-error`, `info` and `x-info` instead of a `code`.

    Zoho sends these as response headers; they are repeated in a JSON body so any client can
    read them. The status is inferred (400).
    """
    headers = {"x-error": HEADER_ERROR_TEXT, "info": "Bad Request",
               "x-info": "Invalid header values"}
    return ZohoError(400, {**headers, "http_status": "400"}, headers=headers)
