"""What a cut-off or refused `POST /job` leaves behind, on a real `catalyst-local serve`:
nothing. An upload is stored whole or not at all."""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from catalyst_local.wiring import local_secret_key
from tests.integration.test_main_job import copy_project, org_id
from tests.serving import ServeProcess

BOUNDARY = "form-boundary-7d3f"
ANSWERED = re.compile(r"POST /server/crm_bulk_job_service/job \d{3} ")
# Past the service's 1 MiB head window, so the upload into File Store is under way.
CSV = b"Last_Name,Company,Email\r\n" + b"Lee,Acme,lee@example.com\r\n" * 120_000


@pytest.fixture
def server(tmp_path: Path):
    with ServeProcess(copy_project(tmp_path / "project"), tmp_path / "data") as running:
        yield running


def text_part(name: str, value: str) -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
            f"{value}\r\n").encode()


def file_part_head() -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            "filename=\"leads.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode()


def post(server: ServeProcess, body: bytes) -> httpx.Response:
    return httpx.post(f"{server.url}/server/crm_bulk_job_service/job", content=body,
                      headers={"catalyst-codelib-secret-key": local_secret_key(server.data_dir),
                               "content-type": f"multipart/form-data; boundary={BOUNDARY}"},
                      timeout=60, trust_env=False)


def stored_files(server: ServeProcess) -> list[dict]:
    response = httpx.get(f"{server.url}/_catalyst_local/filestore/files",
                         params={"folder": "CrmFiles"}, timeout=10, trust_env=False)
    assert response.status_code == 200, response.text
    return response.json()["files"]


def bytes_on_disk(server: ServeProcess) -> list[str]:
    return [path.name for path in (server.data_dir / "filestore" / "blobs").glob("*/*")]


def test_a_cut_off_upload_leaves_nothing_in_file_store(server: ServeProcess):
    sent = (text_part("module_name", "Leads") + text_part("org_id", org_id(server))
            + file_part_head() + CSV)
    address = urlsplit(server.url)
    head = (f"POST /server/crm_bulk_job_service/job HTTP/1.1\r\nHost: {address.netloc}\r\n"
            f"catalyst-codelib-secret-key: {local_secret_key(server.data_dir)}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {len(sent) + 1_000_000}\r\n\r\n").encode()
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(head + sent)
        time.sleep(0.5)  # let the bytes reach the function before the cut

    deadline = time.monotonic() + 20
    while not ANSWERED.search(server.logs()):
        assert time.monotonic() < deadline, server.tail_logs()
        time.sleep(0.1)
    assert stored_files(server) == []
    assert bytes_on_disk(server) == []


def test_a_form_refused_for_a_field_after_the_file_leaves_nothing(server: ServeProcess):
    body = (text_part("org_id", org_id(server)) + file_part_head() + CSV + b"\r\n"
            + text_part("module_name", "Not A Module") + f"--{BOUNDARY}--\r\n".encode())
    response = post(server, body)
    assert (response.status_code, response.json()) == (
        400, {"status": "failure", "message": "'module_name' is invalid."})
    assert stored_files(server) == []
    assert bytes_on_disk(server) == []


def test_fields_after_the_file_still_count(server: ServeProcess):
    body = (file_part_head() + CSV + b"\r\n" + text_part("module_name", "Leads")
            + text_part("org_id", org_id(server)) + f"--{BOUNDARY}--\r\n".encode())
    response = post(server, body)
    assert response.status_code == 200, response.text
    files = stored_files(server)
    assert [(f["id"], f["name"], f["size"]) for f in files] == [
        (response.json()["file_id"], "leads.csv", len(CSV))]
