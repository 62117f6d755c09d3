"""Job progression, details shape, result file, download links and the callback."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

LEADS = ("Row,Last_Name,Company,Email\n"
         "1,Doe,Acme,doe@example.com\n"
         "2,,Acme,bad-email\n"
         "3,Roe,Initech,roe@example.com\n")
MAPPINGS = [{"api_name": "Last_Name", "index": 1}, {"api_name": "Company", "index": 2},
            {"api_name": "Email", "index": 3}, {"api_name": "Description", "index": 0}]


def _create(zoho, callback=None):
    body = {"operation": "insert",
            "resource": [{"type": "data", "module": {"api_name": "Leads"},
                          "file_id": zoho.file_id(LEADS), "field_mappings": MAPPINGS}]}
    if callback:
        body["callback"] = {"url": callback, "method": "post"}
    answer = zoho.create_job(body)
    assert answer.status_code == 201, answer.text
    return answer.json()["details"]["id"]


def _wait(zoho, job_id, final=("COMPLETED", "FAILED")):
    seen = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        body = zoho.job(job_id).json()
        if not seen or seen[-1] != body["status"]:
            seen.append(body["status"])
        if body["status"] in final:
            return body, seen
        time.sleep(0.02)
    raise AssertionError(f"job stuck in {seen}")


def test_job_moves_through_added_and_in_progress_to_completed(zoho):
    zoho.admin("POST", "/settings", json={"job_step_seconds": 0.3}).raise_for_status()
    job_id = _create(zoho)
    first = zoho.job(job_id).json()
    assert first["status"] == "ADDED"
    assert first["resource"][0]["file"] == {"status": "ADDED"}
    assert "result" not in first
    body, seen = _wait(zoho, job_id)
    assert seen == ["ADDED", "IN PROGRESS", "COMPLETED"]
    resource = body["resource"][0]
    assert resource["file"] == {"status": "COMPLETED", "name": "leads.csv", "added_count": 2,
                                "skipped_count": 1, "updated_count": 0, "total_count": 3}
    assert resource["module"]["api_name"] == "Leads"
    assert resource["field_mappings"][0] == {
        "api_name": "Last_Name", "index": 1, "format": None, "find_by": None, "module": None,
        "parent_column_index": None, "default_value": None}
    assert body["operation"] == "insert" and "data" not in body
    assert body["result"]["download_url"].startswith(f"{zoho.base}/zoho/com/download/")


def test_inprogress_spelling_variant(zoho):
    zoho.admin("POST", "/settings", json={"job_step_seconds": 0.3,
                                          "inprogress_spelling": True}).raise_for_status()
    _, seen = _wait(zoho, _create(zoho))
    assert seen == ["ADDED", "INPROGRESS", "COMPLETED"]


def test_jobs_run_oldest_first(zoho):
    zoho.admin("POST", "/settings", json={"job_step_seconds": 0.2}).raise_for_status()
    first, second = _create(zoho), _create(zoho)
    _, seen = _wait(zoho, first)
    assert zoho.job(second).json()["status"] in ("ADDED", "IN PROGRESS")
    assert seen[-1] == "COMPLETED"


def test_result_zip_repeats_the_first_three_mapped_columns(zoho):
    job_id = _create(zoho)
    zoho.admin("POST", "/jobs/advance").raise_for_status()
    name, rows = zoho.result_rows(zoho.job(job_id).json())
    assert name == "Leads-leads.csv"
    assert rows[0] == ["Row", "Last_Name", "Company", "STATUS", "RECORD_ID", "ERRORS"]
    assert rows[1][:4] == ["1", "Doe", "Acme", "added"] and rows[1][4].isdigit()
    assert rows[2] == ["2", "", "Acme", "skipped", "",
                       "MANDATORY_NOT_FOUND-Last_Name:INVALID_DATA-Email"]
    stored = {r["id"]: r for r in zoho.sandbox.records("Leads")}
    assert stored[rows[1][4]]["Description"] == "1"


def test_relative_download_url_resolves_against_the_api_domain(zoho):
    zoho.admin("POST", "/settings", json={"relative_download_url": True}).raise_for_status()
    details = zoho.run("Leads", "Last_Name,Company\nDoe,Acme\n")
    url = details["result"]["download_url"]
    assert url.startswith("/v8/crm/org")
    answer = zoho.http.get(f"{zoho.base}/zoho/com/api{url}", headers=zoho.auth())
    assert answer.status_code == 200 and answer.content[:2] == b"PK"


def test_download_needs_a_token_and_expires(zoho):
    details = zoho.run("Leads", "Last_Name,Company\nDoe,Acme\n")
    url = details["result"]["download_url"]
    assert zoho.http.get(url).status_code == 401
    zoho.clock.advance(7 * 86_400 + 1)
    answer = zoho.http.get(url, headers=zoho.auth(zoho.access_token()))
    assert answer.status_code == 403
    assert answer.headers["x-info"] == "Link not valid"


def test_callback_posts_the_job_details_to_a_local_url(zoho):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.timeout = 5
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        job_id = _create(zoho, callback=f"http://127.0.0.1:{server.server_port}/done")
        zoho.admin("POST", "/jobs/advance").raise_for_status()
        thread.join(10)
    finally:
        server.server_close()
    assert len(received) == 1
    assert received[0]["id"] == job_id and received[0]["status"] == "COMPLETED"
    assert received[0]["result"]["download_url"]


def test_callback_to_another_host_is_never_called(zoho, caplog):
    job_id = _create(zoho, callback="http://192.0.2.1/cb")
    with caplog.at_level("WARNING", logger="catalyst_local.zoho"):
        zoho.admin("POST", "/jobs/advance").raise_for_status()
    assert f"Callback of job {job_id} not sent" in caplog.text
    assert zoho.job(job_id).json()["status"] == "COMPLETED"


def test_v2_shows_the_module_as_a_string(zoho):
    body = {"operation": "insert",
            "resource": [{"type": "data", "module": "Leads",
                          "file_id": zoho.file_id("Last_Name,Company\nDoe,Acme\n")}]}
    created = zoho.http.post(zoho.url("/api/crm/bulk/v2/write"), json=body,
                             headers=zoho.auth())
    job_id = created.json()["details"]["id"]
    details = zoho.http.get(zoho.url(f"/api/crm/bulk/v2/write/{job_id}"),
                            headers=zoho.auth()).json()
    assert details["resource"][0]["module"] == "Leads"
