"""Create-job validation: turns a bulk write request into the plan a job runs.

Zoho's own check order is undocumented; the sandbox's is fixed so tests can rely on it:
the operation and, for update/upsert, `find_by`; the module; the file id and the ZIP's contents;
the field mappings; the callback; the mandatory fields.
"""

from __future__ import annotations

from typing import Any

from catalyst_local.zoho.bulk import errors
from catalyst_local.zoho.bulk.csvfile import NotOneCsv, known_encoding, read_csv
from catalyst_local.zoho.bulk.values import format_known
from catalyst_local.zoho.metadata import MODULES, SYSTEM_FIELDS, UNSUPPORTED_MODULES, Module
from catalyst_local.zoho.orgs import Org
from catalyst_local.zoho.settings import SandboxSettings
from catalyst_local.zoho.store import Store

OPERATIONS = ("insert", "update", "upsert")
MAX_ROWS = 25_000
MAX_COLUMNS = 200
MAX_MAPPED_FIELDS = 200
OWNER_KEYS = ("id", "email")


def build_plan(body: dict[str, Any], org: Org, store: Store, files_dir,
               settings: SandboxSettings) -> dict[str, Any]:
    """The job's plan, or the first error Zoho would answer, as a `ZohoError`."""
    operation = body.get("operation")
    if operation is None:
        raise errors.MISSING_KEY(key="operation", details={"api_name": "operation"})
    if operation not in OPERATIONS:
        raise errors.INVALID_OPERATION(operation=operation, details={"api_name": "operation"})
    resources = body.get("resource")
    if not isinstance(resources, list) or not resources:
        raise errors.MISSING_KEY(key="resource", details={"api_name": "resource"})
    if len(resources) > 1:
        raise errors.PARENT_CHILD_NOT_EMULATED()
    resource = resources[0]
    if not isinstance(resource, dict):
        raise errors.MISSING_KEY(key="module", details={"api_name": "module"})
    for key in ("type", "module", "file_id"):
        if resource.get(key) in (None, ""):
            raise errors.MISSING_KEY(key=key, details={"api_name": key})
    find_by = resource.get("find_by")
    if operation != "insert" and not find_by:
        raise errors.MISSING_FIND_BY(details={"api_name": "find_by"})

    module = _module(resource["module"])
    file_row, csv_file = _file(resource["file_id"], body.get("character_encoding"), org, store,
                               files_dir, settings)
    mappings = _mappings(resource.get("field_mappings"), module, csv_file.header)
    if find_by:
        _check_find_by(find_by, module, mappings)
    callback = _callback(body.get("callback"))
    if operation != "update":
        _check_mandatory(module, mappings)

    ignore_empty = resource.get("ignore_empty", body.get("ignore_empty", False))
    return {
        "operation": operation,
        "module": module.api_name,
        "file_id": file_row["file_id"],
        "file_name": csv_file.name,
        "character_encoding": body.get("character_encoding"),
        "ignore_empty": bool(ignore_empty),
        "find_by": find_by,
        "mappings": mappings,
        "auto_mapped": resource.get("field_mappings") is None,
        "callback": callback,
        "total_count": sum(1 for _ in csv_file.rows()),
    }


def _module(value: Any) -> Module:
    # v2 sends the module as a string, v2.1 and later as {"api_name": ...}; both are read.
    name = value.get("api_name") if isinstance(value, dict) else value
    if not isinstance(name, str) or not name:
        raise errors.MISSING_KEY(key="api_name", details={"api_name": "module.api_name"})
    module = MODULES.get(name)
    if module is None or name in UNSUPPORTED_MODULES:
        raise errors.MODULE_NOT_AVAILABLE(module=name, details={"api_name": "module"})
    return module


def _file(file_id: Any, encoding: Any, org: Org, store: Store, files_dir,
          settings: SandboxSettings):
    row = store.one("SELECT * FROM files WHERE file_id = ?", str(file_id))
    if (row is None or row["zgid"] != org.zgid
            or (row["used_by"] and not settings.file_id_reuse)):
        raise errors.INVALID_FILE_ID(details={"api_name": "file_id"})
    if encoding is not None and (not isinstance(encoding, str) or not known_encoding(encoding)):
        raise errors.INVALID_ENCODING(encoding=encoding,
                                      details={"api_name": "character_encoding"})
    try:
        csv_file = read_csv(files_dir / f"{row['file_id']}.zip", encoding,
                            keep_bom=settings.bom == "keep")
    except NotOneCsv:
        raise errors.FILE_NOT_SUPPORTED(details={"api_name": "file_id"}) from None
    if len(csv_file.header) > MAX_COLUMNS:
        raise errors.FILE_OVER_LIMIT(limit=MAX_COLUMNS, what="columns")
    rows = 0
    for _ in csv_file.rows():
        rows += 1
        if rows > MAX_ROWS:
            raise errors.FILE_OVER_LIMIT(limit=MAX_ROWS, what="records")
    return row, csv_file


def _mapping(api_name: str, index: int | None, find_by: str | None = None,
             format: str | None = None, default: Any = None, module: str | None = None
             ) -> dict[str, Any]:
    return {"api_name": api_name, "index": index, "find_by": find_by, "format": format,
            "default_value": default, "module": module}


def _mappings(given: Any, module: Module, header: list[str]) -> list[dict[str, Any]]:
    if given is None:
        return [_auto_mapping(name, index, module) for index, name in enumerate(header)]
    if not isinstance(given, list):
        raise errors.MISSING_KEY(key="field_mappings", details={"api_name": "field_mappings"})
    mappings = []
    for item in given:
        if not isinstance(item, dict) or not item.get("api_name"):
            raise errors.MISSING_KEY(key="api_name", details={"api_name": "field_mappings"})
        name = item["api_name"]
        field = module.field(name)
        if field is None and name != "id":
            raise errors.INVALID_FIELD(name=name, details={"api_name": name})
        index, default = item.get("index"), item.get("default_value")
        default_value = default.get("value") if isinstance(default, dict) else None
        if index is None and default_value is None:
            raise errors.MISSING_INDEX(field=name, details={"api_name": name})
        if index is not None and (type(index) is not int or not 0 <= index < len(header)):
            raise errors.COLUMN_INDEX_NOT_FOUND(index=index, field=name,
                                                details={"api_name": name})
        pattern = item.get("format")
        if pattern is not None and field is not None and not format_known(field, pattern):
            raise errors.INVALID_FORMAT(format=pattern, field=name, details={"api_name": name})
        find_by = item.get("find_by")
        target = None
        if field is not None and field.data_type in ("lookup", "ownerlookup"):
            if not find_by:
                raise errors.MISSING_FIND_BY(details={"api_name": name})
            target = field.lookup or "Users"
            if not _lookup_key_known(field, find_by):
                raise errors.INVALID_FIND_BY(find_by=find_by, details={"api_name": name})
        mappings.append(_mapping(name, index, find_by, pattern, default_value,
                                 item.get("module") or target))
    if len(mappings) > MAX_MAPPED_FIELDS:
        raise errors.HEADER_LIMIT_EXCEEDED(limit=MAX_MAPPED_FIELDS)
    return mappings


def _auto_mapping(name: str, index: int, module: Module) -> dict[str, Any]:
    """A header cell read as an API name: `Field`, or `Field.id` / `Field.<display field>`
    for a lookup."""
    if name == "id":
        return _mapping("id", index)
    base, dot, key = name.partition(".")
    field = module.field(base)
    if field is None:
        raise errors.INVALID_FIELD(name=name, details={"api_name": name})
    if field.data_type in ("lookup", "ownerlookup"):
        if not dot:
            # A bare lookup header names no way to find the record, so it maps nothing.
            return _mapping(base, index, module=field.lookup or "Users")
        if not _lookup_key_known(field, key):
            raise errors.INVALID_FIELD(name=name, details={"api_name": name})
        return _mapping(base, index, find_by=key, module=field.lookup or "Users")
    if dot:
        raise errors.INVALID_FIELD(name=name, details={"api_name": name})
    return _mapping(base, index)


def _lookup_key_known(field, key: str) -> bool:
    if field.data_type == "ownerlookup":
        return key in OWNER_KEYS
    target = MODULES[field.lookup]
    unique = target.unique_field
    return key in ("id", target.display_field) or (unique is not None
                                                   and key == unique.api_name)


def _check_find_by(find_by: str, module: Module, mappings: list[dict[str, Any]]) -> None:
    unique = module.unique_field
    if find_by != "id" and (unique is None or find_by != unique.api_name):
        raise errors.INVALID_FIND_BY(find_by=find_by, details={"api_name": "find_by"})
    if not any(m["api_name"] == find_by for m in mappings):
        raise errors.FIND_BY_NOT_MAPPED(find_by=find_by, details={"api_name": "find_by"})


def _callback(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not value.get("url"):
        raise errors.MISSING_KEY(key="url", details={"api_name": "callback.url"})
    method = value.get("method")
    if method is None:
        raise errors.MISSING_KEY(key="method", details={"api_name": "callback.method"})
    if method != "post":
        raise errors.INVALID_CALLBACK_METHOD(method=method,
                                             details={"supported_callback_methods": ["post"]})
    url = value["url"]
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise errors.INVALID_CALLBACK_URL(details={"api_name": "callback.url"})
    return {"url": url, "method": method}


def _check_mandatory(module: Module, mappings: list[dict[str, Any]]) -> None:
    mapped = {m["api_name"] for m in mappings
              if module.field(m["api_name"]) is None
              or module.field(m["api_name"]).data_type not in ("lookup", "ownerlookup")
              or m["find_by"]}
    missing = [f.api_name for f in module.mandatory
               if f.api_name not in mapped and f.api_name not in SYSTEM_FIELDS]
    if missing:
        raise errors.MANDATORY_FIELDS_NOT_MAPPED(fields=", ".join(missing),
                                                 details={"api_names": missing})
