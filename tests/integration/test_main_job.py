"""The main job end to end: the repo's own project under a real `catalyst-local serve`, a CSV
posted to /server/crm_bulk_job_service/job as curl posts it, and the sandbox CRM's records."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import time
from pathlib import Path

import httpx
import pytest

from catalyst_local.client.importer import ImportClient, is_finished
from catalyst_local.sample_data import HEADER, lead_rows, write_leads
from catalyst_local.wiring import local_secret_key
from tests.serving import ServeProcess

REPO = Path(__file__).resolve().parents[2]


def copy_project(target: Path) -> Path:
    """The repo's project (catalyst.json and functions/), without generated copies."""
    target.mkdir(parents=True)
    shutil.copy(REPO / "catalyst.json", target)
    shutil.copytree(REPO / "functions", target / "functions",
                    ignore=shutil.ignore_patterns("__pycache__", "crm_import"))
    shutil.copytree(REPO / "functions" / "_common" / "crm_import",
                    target / "functions" / "_common" / "crm_import",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return target


@pytest.fixture
def server(tmp_path: Path):
    project = copy_project(tmp_path / "project")
    with ServeProcess(project, tmp_path / "data") as running:
        yield running


def sandbox(server: ServeProcess, path: str = "") -> dict:
    return httpx.get(f"{server.url}/zoho/_sandbox{path}", timeout=10).json()


def org_id(server: ServeProcess) -> str:
    return next(org["zgid"] for org in sandbox(server)["orgs"] if org["dc"] == "com")


def records(server: ServeProcess, module: str = "Leads") -> list[dict]:
    """Every record the sandbox CRM holds for a module."""
    response = httpx.get(f"{server.url}/_catalyst_local/zoho/records",
                         params={"module": module}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["records"]


def import_csv(server: ServeProcess, csv_bytes: bytes, name: str = "leads.csv",
               timeout: float = 300) -> dict:
    secret = local_secret_key(server.data_dir)
    path = server.data_dir.parent / name
    path.write_bytes(csv_bytes)
    with ImportClient(server.url, secret) as client:
        answer = client.submit(path, "Leads", org_id(server))
        deadline = time.monotonic() + timeout
        while True:
            view = client.status(answer["import_id"])
            # A failed state can be temporary: the Event Listener redelivers the event.
            if view["state"] != "failed" and is_finished(view):
                return {"answer": answer, "view": view}
            assert time.monotonic() < deadline, json.dumps(view)
            time.sleep(0.5)


def expected_outcome(rows: list[list[str]]) -> tuple[set[str], dict[int, str]]:
    """What Zoho CRM's rules make of the sample rows: the e-mails that land, and the error code
    of each refused row, decided here from the Leads rules themselves."""
    header = {name: index for index, name in enumerate(HEADER)}
    landed: set[str] = set()
    refused: dict[int, str] = {}
    for number, row in enumerate(rows, start=1):
        email = row[header["Email"]]
        if not row[header["Last Name"]]:
            refused[number] = "MANDATORY_NOT_FOUND-Last_Name"
        elif not row[header["Company"]]:
            refused[number] = "MANDATORY_NOT_FOUND-Company"
        elif "@" not in email:
            refused[number] = "INVALID_DATA-Email"
        elif email in landed:
            refused[number] = "DUPLICATE_DATA-Email"
        else:
            landed.add(email)
    return landed, refused


def test_the_sample_leads_land_with_the_expected_rows_refused(server: ServeProcess):
    sample = (REPO / "samples" / "leads.csv").read_bytes()
    result = import_csv(server, sample)
    view = result["view"]

    rows = list(lead_rows(40, with_errors=True))
    assert [HEADER, *rows] == list(csv.reader(io.StringIO(sample.decode())))
    landed, refused = expected_outcome(rows)
    assert refused, "the sample must hold rows the CRM refuses"

    assert {record["Email"] for record in records(server)} == landed
    assert len(records(server)) == len(landed)
    [batch] = view["batches"]
    assert batch["job_status"] == "COMPLETED"
    assert batch["added"] == len(landed)
    assert batch["skipped"] + batch["failed"] == len(refused)
    reported = {error["row"]: error["errors"] for error in view["errors"]}
    assert reported == refused

    # Handed on whole: only now are the File Store file and the Cache entry gone.
    assert_handed_on(server, result["answer"])
    assert_no_secrets_in(server.logs(), server)


def test_a_redelivered_event_creates_no_second_job(server: ServeProcess):
    import_csv(server, (REPO / "samples" / "leads.csv").read_bytes())
    jobs_before, records_before = sandbox(server, "/jobs")["jobs"], records(server)
    events = httpx.get(f"{server.url}/_catalyst_local/events").json()["events"]
    [event] = [e for e in events if e["function"] == "crm_bulk_job_initiator"]

    replayed = httpx.post(f"{server.url}/_catalyst_local/events/{event['id']}/replay")
    assert replayed.status_code == 200, replayed.text
    deadline = time.monotonic() + 30
    while True:
        again = httpx.get(f"{server.url}/_catalyst_local/events/{event['id']}").json()
        if again["state"] == "delivered" and again["series"] > event["series"]:
            break
        assert time.monotonic() < deadline, again
        time.sleep(0.2)
    assert sandbox(server, "/jobs")["jobs"] == jobs_before
    assert records(server) == records_before


# Every token here has Zoho's shape, the emulator's own credentials included.
TOKEN = re.compile(r"1000\.[0-9a-f]{32}\.[0-9a-f]{32}")


def assert_no_secrets_in(text: str, server: ServeProcess) -> None:
    assert "Import" in text, "the log should say what happened"
    assert not TOKEN.search(text)
    assert local_secret_key(server.data_dir) not in text


def assert_handed_on(server: ServeProcess, answer: dict) -> None:
    admin = f"{server.url}/_catalyst_local"
    files = httpx.get(f"{admin}/filestore/files", params={"folder": "CrmFiles"}).json()["files"]
    keys = httpx.get(f"{admin}/cache/keys", params={"segment": "CrmFiles"}).json()["keys"]
    assert answer["file_id"] not in [file["id"] for file in files]
    assert answer["cache_key"] not in [key["key"] for key in keys]


@pytest.mark.slow
def test_sixty_thousand_rows_go_in_three_batches(server: ServeProcess):
    text = io.StringIO()
    write_leads(text, 60_000)
    result = import_csv(server, text.getvalue().encode(), name="leads-60000.csv")
    batches = result["view"]["batches"]
    assert [b["rows"] for b in batches] == [25_000, 25_000, 10_000]
    assert all(b["job_status"] == "COMPLETED" for b in batches)
    assert sum(b["added"] for b in batches) == 60_000
    assert len(records(server)) == 60_000
    assert len(sandbox(server, "/jobs")["jobs"]) == 3


@pytest.mark.slow
def test_faults_on_upload_job_creation_and_token_refresh_still_import_every_row_once(
        server: ServeProcess):
    for fault in ({"endpoint": "token", "status": 500, "count": 1},
                  {"endpoint": "upload", "status": 503, "count": 2},
                  {"endpoint": "upload", "timeout": True, "count": 1},
                  {"endpoint": "create_job", "status": 429, "count": 2, "retry_after": 1},
                  {"endpoint": "create_job", "status": 500, "count": 1}):
        response = httpx.post(f"{server.url}/zoho/_sandbox/faults", json=fault)
        assert response.status_code == 201, response.text
    text = io.StringIO()
    write_leads(text, 30_000)
    result = import_csv(server, text.getvalue().encode(), name="leads-30000.csv")

    batches = result["view"]["batches"]
    assert [b["rows"] for b in batches] == [25_000, 5_000]
    assert len(records(server)) == 30_000
    jobs = sandbox(server, "/jobs")["jobs"]
    assert len(jobs) == 2, "a batch got a second bulk write job"
    assert sorted(job["id"] for job in jobs) == sorted(b["job_id"] for b in batches)
    assert sandbox(server)["faults"] == {}, "a fault was never hit"
    assert_handed_on(server, result["answer"])
    assert_no_secrets_in(server.logs(), server)
