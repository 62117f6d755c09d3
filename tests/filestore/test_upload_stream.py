"""Uploads as raw HTTP: part order, missing parts, broken bodies, a client that goes away."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest

from catalyst_local.filestore.upload import is_temp_file

BOUNDARY = "catalyst-local-test-boundary"


def part(name: str, value: bytes, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"'
    headers = f"Content-Disposition: {disposition}"
    if filename is not None:
        headers = (f'Content-Disposition: {disposition}; filename="{filename}"\r\n'
                   "Content-Type: application/octet-stream")
    return f"--{BOUNDARY}\r\n{headers}\r\n\r\n".encode() + value + b"\r\n"


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def post(components, folder_id: str, content: bytes,
         content_type: str = f"multipart/form-data; boundary={BOUNDARY}") -> httpx.Response:
    headers = {**components.admin_headers(), "Content-Type": content_type}
    return httpx.post(f"{components.base}/folder/{folder_id}/file", content=content,
                      headers=headers)


def crm_files(components) -> str:
    return next(f["id"] for f in components.runtime.filestore.folders()
                if f["folder_name"] == "CrmFiles")


def leftovers(components, folder_id: str) -> list[Path]:
    directory = components.runtime.data_dir / "filestore" / "blobs" / folder_id
    return [p for p in directory.iterdir()] if directory.exists() else []


def failure(response: httpx.Response) -> tuple[int, str, str]:
    data = response.json()["data"]
    return response.status_code, data["error_code"], data["message"]


def test_file_part_before_the_name_part_is_accepted(components):
    folder_id = crm_files(components)

    response = post(components, folder_id, body(part("code", b"bytes", filename=""),
                                                part("file_name", "résumé.txt".encode())))

    assert response.status_code == 200
    file = response.json()["data"]
    assert (file["file_name"], file["file_size"]) == ("résumé.txt", "5")
    assert components.runtime.filestore.files(folder_id) == [file]


def test_unknown_parts_are_ignored(components):
    response = post(components, crm_files(components),
                    body(part("extra", b"ignored"), part("file_name", b"a.txt"),
                         part("code", b"abc", filename="")))

    assert response.status_code == 200
    assert response.json()["data"]["file_size"] == "3"


@pytest.mark.parametrize(("parts", "field"), [
    ((part("file_name", b"a.txt"),), "code"),
    ((part("code", b"abc", filename=""),), "file_name"),
])
def test_a_missing_part_is_invalid_input_naming_it(components, parts, field):
    folder_id = crm_files(components)

    response = post(components, folder_id, body(*parts))

    assert failure(response) == (400, "INVALID_INPUT", f"The multipart field {field} is missing")
    assert leftovers(components, folder_id) == []
    assert components.events == []


def test_a_repeated_file_part_is_invalid_input(components):
    folder_id = crm_files(components)

    response = post(components, folder_id, body(part("file_name", b"a"),
                                                part("code", b"1", filename=""),
                                                part("code", b"2", filename="")))

    assert failure(response) == (400, "INVALID_INPUT",
                                 "The multipart field code appears more than once")
    assert leftovers(components, folder_id) == []


def test_an_empty_file_name_is_invalid_input(components):
    response = post(components, crm_files(components),
                    body(part("file_name", b""), part("code", b"1", filename="")))

    assert failure(response) == (400, "INVALID_INPUT", "file_name must be a non-empty string")


def test_a_body_cut_before_its_closing_boundary_is_malformed(components):
    folder_id = crm_files(components)
    cut = body(part("file_name", b"a"), part("code", b"123", filename=""))[:-20]

    response = post(components, folder_id, cut)

    assert failure(response) == (400, "INVALID_INPUT", "The multipart body is malformed")
    assert leftovers(components, folder_id) == []


@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data"])
def test_a_body_that_is_not_multipart_is_invalid_input(components, content_type):
    response = post(components, crm_files(components), b"{}", content_type=content_type)

    assert failure(response) == (
        400, "INVALID_INPUT", "The upload must be a multipart/form-data body with a boundary")


def test_a_client_that_disconnects_mid_upload_leaves_no_file(components):
    folder_id = crm_files(components)
    head = part("file_name", b"big.bin") + (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="code"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n").encode()
    declared = len(head) + 20_000_000
    request = (f"POST /baas/v1/project/{components.runtime.credentials.project_id}"
               f"/folder/{folder_id}/file HTTP/1.1\r\n"
               f"Host: 127.0.0.1\r\n"
               f"Authorization: {components.admin_headers()['Authorization']}\r\n"
               f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
               f"Content-Length: {declared}\r\n\r\n").encode()
    port = int(components.url.rsplit(":", 1)[1])

    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(request + head + b"x" * 4_000_000)
        wait_until(lambda: any(is_temp_file(p) for p in leftovers(components, folder_id)))

    wait_until(lambda: leftovers(components, folder_id) == [])
    assert components.runtime.filestore.files(folder_id) == []
    assert components.events == []


def wait_until(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never became true")
        time.sleep(0.02)
