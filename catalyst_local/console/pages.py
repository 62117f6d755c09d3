"""One function per console page: read the runtime, render tables."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from catalyst_local.admin import overview
from catalyst_local.admin.imports import imports
from catalyst_local.admin.masking import Masker
from catalyst_local.console.html import (
    BASE,
    Html,
    duration,
    join,
    link,
    page,
    table,
    tag,
    when,
)
from catalyst_local.runtime import Runtime
from catalyst_local.zoho.crm import records as crm_records
from catalyst_local.zoho.metadata import MODULES

ADMIN = "/_catalyst_local"
RECENT_LOG_LINES = 40
VALUE_PREVIEW_CHARS = 120
RECORD_COLUMNS = 8
RECORDS_SHOWN = 50


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def _h2(text: str) -> Html:
    return tag("h2", text)


async def overview_page(request: Request) -> Response:
    state = overview.status(_runtime(request))
    functions = table(["Function", "Type", "State", "Restarts"],
                      [(link(f"{BASE}/functions#{name}", name), value["type"], value["state"],
                        value["restarts"]) for name, value in state["functions"].items()],
                      empty="The project has no functions.")
    events = table(["State", "Events"], list(state["events"].items()))
    return page("Overview", "",
                tag("p", f"Project {state['project']} (id {state['project_id']}) served at "
                         f"{state['url']}, data in {state['data_dir']}."),
                _h2("Functions"), functions,
                _h2("Event Listener" + (" (paused)" if state["events_paused"] else "")), events,
                _h2("Cache segments"),
                table(["Segment", "Id", "Keys"],
                      [(s["name"], s["id"], s["keys"]) for s in state["segments"]]),
                _h2("File Store folders"),
                table(["Folder", "Id", "Files"],
                      [(f["name"], f["id"], f["files"]) for f in state["folders"]],
                      empty="The project has no folders."))


async def functions_page(request: Request) -> Response:
    runtime = _runtime(request)
    assert runtime.functions is not None
    masker = Masker(runtime)
    sections: list[Any] = []
    for name in overview.function_names(runtime):
        details = overview.function(runtime, name)
        lines = runtime.functions.logs(name)[-RECENT_LOG_LINES:]
        log_text = "\n".join(f"{when(line['time'])} {line['level']:<7} {masker.text(line['line'])}"
                             for line in lines)
        sections += [
            tag("h2", f"{name} ({details['type']}): {details['state']}", id=name),
            tag("p", f"pid {details['pid']}, port {details['port']}, "
                     f"{details['restarts']} restart(s)"
                     + (f"; last error: {details['last_error']}" if details["last_error"]
                        else "")),
            tag("h3", "Env variables"),
            table(["Name", "Value"], sorted(details["env"].items()), empty="None."),
            tag("h3", "Last invocations"),
            table(["Time", "Target", "Status", "Duration (ms)", "Error"],
                  [(when(call["time"]), call["target"], call["status"], call["duration_ms"],
                    call["error"]) for call in details["invocations"]]),
            tag("h3", "Recent logs"),
            tag("pre", log_text) if lines else tag("p", "No output yet.", class_="muted"),
        ]
    if not sections:
        sections.append(tag("p", "The project has no functions.", class_="muted"))
    return page("Functions", "/functions", *sections)


async def filestore_page(request: Request) -> Response:
    runtime = _runtime(request)
    assert runtime.filestore is not None
    sections: list[Any] = []
    for folder in runtime.filestore.folders():
        files = runtime.filestore.files(folder["id"])
        rows = [(link(f"{ADMIN}/filestore/file?"
                      + urlencode({"folder": folder["folder_name"], "file": file["id"]}),
                      file["file_name"]), file["id"], file["file_size"], file["created_time"])
                for file in files]
        sections += [tag("h2", f"{folder['folder_name']} (id {folder['id']})"),
                     table(["File", "Id", "Bytes", "Uploaded"], rows, empty="No files.",
                           data_folder=folder["folder_name"])]
    if not sections:
        sections.append(tag("p", "The project has no folders.", class_="muted"))
    return page("File Store", "/filestore", *sections)


async def cache_page(request: Request) -> Response:
    runtime = _runtime(request)
    assert runtime.cache is not None
    masker = Masker(runtime)
    sections: list[Any] = []
    for segment in runtime.cache.segments():
        rows = []
        for item in runtime.cache.entries(segment.id):
            value = masker.text(item["cache_value"])
            if len(value) > VALUE_PREVIEW_CHARS:
                value = value[:VALUE_PREVIEW_CHARS] + "…"
            rows.append((item["cache_name"], tag("code", value),
                         duration(int(item["ttl_in_milliseconds"])), item["expires_in"]))
        sections += [tag("h2", f"{segment.name} (id {segment.id})"),
                     table(["Key", "Value", "Expires in", "Expires at"], rows, empty="No keys.",
                           data_segment=segment.name)]
    return page("Cache", "/cache", *sections)


async def events_page(request: Request) -> Response:
    runtime = _runtime(request)
    rules = table(["Rule", "Source", "Segments or folders", "Actions", "Targets", "Enabled"],
                  [(r["name"], r["source"], ", ".join(r["entities"]) or "all",
                    ", ".join(r["actions"]), ", ".join(r["targets"]), r["enabled"])
                   for r in overview.rules(runtime)], empty="The project has no rules.")
    events = runtime.events.list() if runtime.events else []
    rows = [(event["id"], event["rule"], event["function"],
             f"{event['source']} {event['action']} on {event['entity_name']}", event["state"],
             len(event["attempts"]), _attempts(event["attempts"]), _replay_form(event))
            for event in reversed(events)]
    notice = request.query_params.get("notice")
    return page("Event Listener", "/events",
                tag("p", notice, class_="notice") if notice else "",
                _h2("Rules"), rules, _h2("Events (newest first)"),
                table(["Event", "Rule", "Function", "What", "State", "Attempts",
                       "Attempt details", ""], rows, empty="No events yet.", id="events"))


def _attempts(attempts: list[dict[str, Any]]) -> Html:
    return join((tag("div", f"#{index} (series {a['series']}) at {when(a['time'])}: "
                            f"{a['status'] if a['status'] is not None else 'no answer'}"
                            + (f", {a['error']}" if a["error"] else "")
                            + f", {a['duration_ms']} ms")
                 for index, a in enumerate(attempts, start=1)))


def _replay_form(event: dict[str, Any]) -> Html:
    if event["state"] not in ("delivered", "failed"):
        return Html("")
    button = Html('<button type="submit">Replay</button>')
    return tag("form", button, method="post", action=f"{BASE}/events/{event['id']}/replay",
               data_event=event["id"])


async def imports_page(request: Request) -> Response:
    runtime = _runtime(request)
    sections: list[Any] = []
    for record in imports(runtime):
        summary = (f"{record['state']}: {record['operation']} of {record['total_rows']} rows "
                   f"into {record['module']} (org {record['org_id']})")
        batches = table(["Batch", "Rows", "Bytes", "Zoho file id", "State", "Job id",
                         "Job state"],
                        [(b["index"], b["rows"], b["bytes"], b["zoho_file_id"], b["state"],
                          b["job_id"], b["job_state"]) for b in record["batches"]],
                        empty="No batches yet.")
        sections += [tag("h2", f"Import {record['import_id']}"), tag("p", summary),
                     tag("p", f"Reason: {record['reason']}") if record["reason"] else "",
                     batches]
    if not sections:
        sections.append(tag("p", "No imports recorded in the Default segment.", class_="muted"))
    jobs = runtime.sandbox.jobs() if runtime.sandbox else []
    sections += [_h2("Zoho CRM bulk write jobs"),
                 table(["Job id", "Status", "Operation", "Module", "File id", "Rows",
                        "Created"],
                       [(j["id"], j["status"], j["operation"], j["module"], j["file_id"],
                         j["total_count"], j["created_time"]) for j in jobs])]
    return page("Imports", "/imports", *sections)


async def zoho_page(request: Request) -> Response:
    runtime = _runtime(request)
    sandbox = runtime.sandbox
    counts = {name: crm_records.count(sandbox.store, sandbox.org_id, name) for name in MODULES}
    module = request.query_params.get("module") or next(
        (name for name, count in counts.items() if count), "Leads")
    modules = join((link(f"{BASE}/zoho?" + urlencode({"module": name}),
                         f"{name} ({count})") for name, count in counts.items()), " · ")
    if module not in MODULES:
        return page("Zoho CRM sandbox", "/zoho", tag("p", modules),
                    tag("p", f"No module named {module}.", class_="notice"), status=404)
    records = sandbox.records(module)
    columns = _record_columns(records)
    rows = [[_cell(record.get(column)) for column in columns]
            for record in records[:RECORDS_SHOWN]]
    return page("Zoho CRM sandbox", "/zoho", tag("p", modules),
                _h2(f"{module}: {len(records)} record(s)"
                    + (f", first {RECORDS_SHOWN} shown" if len(records) > RECORDS_SHOWN else "")),
                table(columns, rows, empty="No records.", data_module=module))


def _record_columns(records: list[dict[str, Any]]) -> list[str]:
    columns: list[str] = []
    for record in records[:RECORDS_SHOWN]:
        for key in record:
            if key not in columns and not key.endswith(("_By", "_Time")) and key != "Owner":
                columns.append(key)
    return columns[:RECORD_COLUMNS]


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("name") or json.dumps(value)
    if isinstance(value, list):
        return json.dumps(value)
    return value
