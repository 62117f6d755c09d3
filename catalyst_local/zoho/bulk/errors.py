"""Bulk write API errors, with Zoho's codes and (where documented) its messages.

Codes marked inferred have no documented trigger or message in Zoho's sources; the sandbox uses
the nearest code from the SDK's list.
"""

from __future__ import annotations

from catalyst_local.zoho.errors import CrmError, ZohoError

INVALID_BODY = CrmError(400, "BAD_REQUEST", "The request body is not a valid JSON object.")
MISSING_KEY = CrmError(400, "MANDATORY_NOT_FOUND",
                       "required key {key} is not found in request body.")
MISSING_FIND_BY = CrmError(400, "MANDATORY_NOT_FOUND", "Required key find_by is not available")
MISSING_INDEX = CrmError(400, "MANDATORY_NOT_FOUND",
                         "required key index for field {field} is not found in request body.")
# Inferred.
INVALID_OPERATION = CrmError(400, "INVALID_DATA", "invalid operation {operation}.")
INVALID_ENCODING = CrmError(400, "INVALID_DATA", "invalid character_encoding {encoding}.")
INVALID_FIND_BY = CrmError(400, "INVALID_DATA", "invalid find_by {find_by}.")
FIND_BY_NOT_MAPPED = CrmError(400, "INVALID_DATA", "the find_by field {find_by} is not mapped.")
INVALID_CALLBACK_URL = CrmError(400, "INVALID_DATA", "invalid callback url.")
MODULE_NOT_AVAILABLE = CrmError(400, "MODULE_NOT_AVAILABLE",
                                "Requested module '{module}' is not available.")
INVALID_FILE_ID = CrmError(400, "INVALID_FILE_ID", "improper file id")
# Inferred stand-ins for a ZIP that is not one CSV, or a CSV over Zoho's limits.
FILE_NOT_SUPPORTED = CrmError(400, "FILE_NOT_SUPPORTED", "File not supported for bulk write")
FILE_OVER_LIMIT = CrmError(400, "FILE_NOT_SUPPORTED",
                           "The file has more than {limit} {what}, the limit for bulk write.")
INVALID_FIELD = CrmError(400, "INVALID_FIELD", "invalid mapping. invalid api_name {name}.")
COLUMN_INDEX_NOT_FOUND = CrmError(400, "COLUMN_INDEX_NOT_FOUND",
                                  "column index {index} for field {field} is not found in the "
                                  "file.")
HEADER_LIMIT_EXCEEDED = CrmError(400, "HEADER_LIMIT_EXCEEDED",
                                 "more than {limit} fields are mapped.")
INVALID_FORMAT = CrmError(400, "INVALID_FORMAT", "invalid format {format} for field {field}.")
INVALID_CALLBACK_METHOD = CrmError(400, "INVALID_CALLBACK_METHOD",
                                   "invalid callback method {method}.")
MANDATORY_FIELDS_NOT_MAPPED = CrmError(400, "MANDATORY_FIELDS_NOT_MAPPED",
                                       "All mandatory fields are not mapped for the layout "
                                       "[{fields}]")
PARENT_CHILD_NOT_EMULATED = CrmError(501, "NOT_EMULATED",
                                     "Parent-child bulk write jobs (more than one resource) are "
                                     "not emulated by catalyst-local.")
RESOURCE_NOT_FOUND = CrmError(404, "RESOURCE_NOT_FOUND", "The requested resource doesn't exist.")


def link_not_valid() -> ZohoError:
    """A result download link that expired or names no finished job of the token's org."""
    headers = {"info": "Forbidden", "x-info": "Link not valid"}
    return ZohoError(403, dict(headers), headers=headers)
