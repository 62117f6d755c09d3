"""The real 100 MB File Store limit, end to end through the SDK."""

from __future__ import annotations

import tracemalloc

import httpx
import pytest

LIMIT = 100 * 1024 * 1024


def crm_files(components) -> str:
    return next(f["id"] for f in components.runtime.filestore.folders()
                if f["folder_name"] == "CrmFiles")


@pytest.mark.slow
def test_100_mb_is_accepted_and_one_byte_more_is_refused(components, tmp_path):
    assert components.runtime.settings.file_max_bytes == LIMIT
    folder = components.app().filestore().folder(crm_files(components))
    path = tmp_path / "limit.bin"
    with path.open("wb") as handle:
        handle.truncate(LIMIT)

    with path.open("rb") as handle:
        file = folder.upload_file("limit.bin", handle)
    assert file["file_size"] == str(LIMIT)
    stream = folder.get_file_stream(file["id"])
    assert stream.headers["content-length"] == str(LIMIT)
    assert sum(len(chunk) for chunk in stream.iter_content(1024 * 1024)) == LIMIT

    with path.open("ab") as handle:
        handle.write(b"!")
    with path.open("rb") as handle, \
            pytest.raises(components.sdk.exceptions.CatalystAPIError) as raised:
        folder.upload_file("over.bin", handle)
    assert (raised.value.code, raised.value.status_code) == ("INVALID_INPUT", 400)
    assert raised.value.message == \
        f"The file is larger than the File Store limit of {LIMIT} bytes"
    assert [f["id"] for f in components.runtime.filestore.files(crm_files(components))] == \
        [file["id"]]


@pytest.mark.slow
def test_a_100_mb_upload_and_download_never_hold_the_file_in_memory(components):
    boundary = "memory-check"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file_name"\r\n\r\nbig\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="code"; filename=""\r\n\r\n')
    chunk = b"z" * (1024 * 1024)

    def body():
        yield head.encode()
        for _ in range(LIMIT // len(chunk)):
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    folder_url = f"{components.base}/folder/{crm_files(components)}"
    headers = components.admin_headers()
    tracemalloc.start()
    try:
        response = httpx.post(f"{folder_url}/file", content=body(), timeout=60, headers={
            **headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})
        file_id = response.json()["data"]["id"]
        with httpx.stream("GET", f"{folder_url}/file/{file_id}/download", headers=headers,
                          timeout=60) as download:
            received = sum(len(part) for part in download.iter_bytes())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.json()["data"]["file_size"] == str(LIMIT)
    assert received == LIMIT
    # Client and server share this process: both together stay far below the file's size.
    assert peak < 32 * 1024 * 1024
