"""Validate a `POST /job` form, in the original CodeLib's order and with its messages.

Checks 1 to 4 are the original's (file, csv, module_name, org_id); the rest cover the optional
fields this version adds. Each failure is a 400 with the envelope.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from crm_import.config import CACHE_VALUE_MAX
from crm_import.errors import RequestError
from crm_import.form import Form
from crm_import.job_spec import OPERATIONS, JobSpec, valid_field_mappings
from crm_import.names import UNSUPPORTED_MODULES
from crm_import.sniff import NotCsv, sniff_csv

_MODULE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,99}")
_LONGEST_FILE_ID = "9" * 30
# The fields of no fixed length that go into the import's cache value, in the order a tie names.
_FREE_TEXT_FIELDS = ("field_mappings", "mapping", "org_id", "find_by")


def check_upload(form: Form) -> Callable[[str], JobSpec]:
    """Returns a maker of the import's JobSpec, once the File Store file id is known."""
    upload = form.file
    if upload is None or upload.size == 0:
        raise RequestError(400, "'file' cannot be empty.")
    try:
        header, encoding = sniff_csv(upload.path, upload.charset)
    except NotCsv as reason:
        raise RequestError(400, f"'file' should be a csv file: {reason}.") from None

    module = form.fields.get("module_name", "").strip()
    if not module:
        raise RequestError(400, "'module_name' cannot be empty.")
    org_id = form.fields.get("org_id", "").strip()
    if not org_id:
        raise RequestError(400, "'org_id' cannot be empty.")
    if not _MODULE.fullmatch(module):
        raise RequestError(400, "'module_name' is invalid.")
    if module in UNSUPPORTED_MODULES:
        raise RequestError(400, f"'module_name' {module} is not supported by bulk write.")

    operation = form.fields.get("operation", "").strip() or "insert"
    if operation not in OPERATIONS:
        raise RequestError(400, "'operation' should be one of insert, update or upsert.")
    find_by = form.fields.get("find_by", "").strip() or None
    if operation != "insert" and not find_by:
        raise RequestError(400, f"'find_by' cannot be empty for {operation}.")

    mappings = _mappings(form, header)

    def spec_of(file_id: str) -> JobSpec:
        return JobSpec(org_id, file_id, module, operation, find_by, mappings, encoding)

    if len(spec_of(_LONGEST_FILE_ID).to_value()) > CACHE_VALUE_MAX:
        # The import's description must fit one cache value: name the longest field in it.
        longest = max(_FREE_TEXT_FIELDS, key=lambda name: len(form.fields.get(name, "")))
        raise RequestError(400, f"'{longest}' is too long.")
    return spec_of


def _mappings(form: Form, header: list[str]) -> list[dict] | None:
    raw_list = form.fields.get("field_mappings", "").strip()
    raw_map = form.fields.get("mapping", "").strip()
    if raw_list and raw_map:
        raise RequestError(400, "'field_mappings' and 'mapping' cannot be used together.")
    if raw_list:
        value = _json(raw_list)
        if not valid_field_mappings(value):
            raise RequestError(400, "'field_mappings' is invalid.")
        return value
    if not raw_map:
        return None

    value = _json(raw_map, "'mapping' is invalid.")
    if not isinstance(value, dict) or not value:
        raise RequestError(400, "'mapping' is invalid.")
    columns = {name.strip(): index for index, name in reversed(list(enumerate(header)))}
    mappings = []
    for column, api_name in value.items():
        if not isinstance(api_name, str) or not api_name.strip():
            raise RequestError(400, "'mapping' is invalid.")
        if column.strip() not in columns:
            raise RequestError(400, f"'mapping' names a column the file does not have: {column}")
        mappings.append({"api_name": api_name.strip(), "index": columns[column.strip()]})
    return mappings


def _json(raw: str, message: str = "'field_mappings' is invalid."):
    try:
        return json.loads(raw)
    except ValueError:
        raise RequestError(400, message) from None
