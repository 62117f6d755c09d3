"""The File Store API driven by the official SDK against a real server."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from catalyst_local.baas.shapes import SYSTEM_USER
from catalyst_local.settings import Settings

CATALYST_TIME = re.compile(r"^[A-Z][a-z]{2} \d{2}, \d{4} \d{2}:\d{2} [AP]M$")


def api_error(components):
    return pytest.raises(components.sdk.exceptions.CatalystAPIError)


def folder_ids(components) -> dict[str, str]:
    return {f["folder_name"]: f["id"] for f in components.runtime.filestore.folders()}


def blob_dir(components) -> Path:
    return components.runtime.data_dir / "filestore" / "blobs"


def upload(components, folder_id: str, name: str, content: bytes, tmp_path: Path) -> dict:
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    with path.open("rb") as handle:
        return components.app().filestore().folder(folder_id).upload_file(name, handle)


def test_get_all_folders_lists_the_declared_folders(components):
    folders = components.app().filestore().get_all_folders()

    listed = [folder.to_dict() for folder in folders]
    assert [f["folder_name"] for f in listed] == ["CrmFiles", "Reports"]
    first = listed[0]
    assert set(first) == {"id", "folder_name", "created_time", "created_by", "modified_time",
                          "modified_by", "project_details"}
    assert isinstance(first["id"], str) and first["id"].isdigit()
    assert CATALYST_TIME.match(first["created_time"])
    assert first["created_by"] == first["modified_by"] == SYSTEM_USER
    assert first["project_details"]["id"] == components.runtime.credentials.project_id


def test_create_folder_then_details_list_it(components):
    filestore = components.app().filestore()

    created = filestore.create_folder("Invoices").to_dict()

    assert created["folder_name"] == "Invoices"
    details = filestore.get_folder_details(created["id"])
    assert details == {**created, "file_details": []}
    assert "Invoices" in folder_ids(components)


def test_create_folder_with_a_taken_name_is_duplicate_value(components):
    with api_error(components) as raised:
        components.app().filestore().create_folder("CrmFiles")

    assert (raised.value.code, raised.value.status_code) == ("DUPLICATE_VALUE", 409)
    assert raised.value.message == "A folder named CrmFiles already exists"


@pytest.mark.parametrize("body", [{}, {"folder_name": ""}, {"folder_name": "  "},
                                  {"folder_name": 7}])
def test_create_folder_without_a_name_is_invalid_input(components, body):
    response = httpx.post(f"{components.base}/folder", json=body,
                          headers=components.admin_headers())

    assert response.status_code == 400
    assert response.json() == {"status": "failure", "data": {
        "error_code": "INVALID_INPUT", "message": "folder_name must be a non-empty string"}}


def test_folder_update_renames_and_refuses_a_taken_name(components):
    ids = folder_ids(components)
    folder = components.app().filestore().folder(ids["Reports"])

    renamed = folder.update("Monthly")

    assert (renamed["id"], renamed["folder_name"]) == (ids["Reports"], "Monthly")
    assert folder.update("Monthly")["folder_name"] == "Monthly"
    with api_error(components) as raised:
        folder.update("CrmFiles")
    assert (raised.value.code, raised.value.message) == (
        "DUPLICATE_VALUE", "A folder named CrmFiles already exists")


def test_folder_delete_removes_it_and_its_files(components, tmp_path):
    folder_id = folder_ids(components)["Reports"]
    upload(components, folder_id, "a.txt", b"abc", tmp_path)
    filestore = components.app().filestore()

    assert filestore.folder(folder_id).delete() is True

    with api_error(components) as raised:
        filestore.get_folder_details(folder_id)
    assert (raised.value.code, raised.value.status_code) == ("INVALID_ID", 404)
    assert raised.value.message == f"Invalid Folder ID {folder_id}"
    assert not (blob_dir(components) / folder_id).exists()
    assert [event["action"] for event in components.events] == ["Upload"]


def test_upload_answers_the_file_and_fires_upload(components, tmp_path):
    folder_id = folder_ids(components)["CrmFiles"]

    file = upload(components, folder_id, "leads.csv", b"a,b\n1,2\n", tmp_path)

    assert set(file) == {"id", "file_name", "file_size", "file_location", "folder_details",
                         "created_time", "created_by", "modified_time", "modified_by",
                         "project_details"}
    assert (file["file_name"], file["file_size"], file["file_location"]) == \
        ("leads.csv", "8", None)
    assert file["folder_details"] == folder_id
    assert file["created_by"] == SYSTEM_USER
    assert components.events == [{"source": "Filestore", "action": "Upload",
                                  "entity_id": folder_id, "entity_name": "CrmFiles",
                                  "data": file}]


@pytest.mark.parametrize("settings", [Settings(folder_details_as_object=True)])
def test_folder_details_is_an_object_when_the_setting_says_so(components, tmp_path):
    folder_id = folder_ids(components)["CrmFiles"]

    file = upload(components, folder_id, "x", b"x", tmp_path)

    assert file["folder_details"] == {"id": folder_id, "folder_name": "CrmFiles"}


def test_file_details_download_stream_and_delete(components, tmp_path):
    folder_id = folder_ids(components)["CrmFiles"]
    content = bytes(range(256)) * 1000
    file = upload(components, folder_id, "data.bin", content, tmp_path)
    folder = components.app().filestore().folder(folder_id)
    components.events.clear()

    assert folder.get_file_details(file["id"]) == file
    assert components.app().filestore().get_folder_details(folder_id)["file_details"] == [file]
    assert folder.download_file(file["id"]) == content
    stream = folder.get_file_stream(file["id"])
    assert stream.headers["content-type"] == "application/octet-stream"
    assert stream.headers["content-length"] == str(len(content))
    assert b"".join(stream.iter_content(65536)) == content

    assert folder.delete_file(file["id"]) is True
    with api_error(components) as raised:
        folder.get_file_details(file["id"])
    assert (raised.value.code, raised.value.message) == ("INVALID_ID",
                                                         f"Invalid File ID {file['id']}")
    assert components.events == []


def test_a_file_is_found_only_in_its_own_folder(components, tmp_path):
    ids = folder_ids(components)
    file = upload(components, ids["CrmFiles"], "a", b"a", tmp_path)

    with api_error(components) as raised:
        components.app().filestore().folder(ids["Reports"]).download_file(file["id"])

    assert (raised.value.code, raised.value.status_code) == ("INVALID_ID", 404)


def test_upload_to_an_unknown_folder_is_invalid_id(components, tmp_path):
    with api_error(components) as raised:
        upload(components, "999", "a", b"a", tmp_path)

    assert (raised.value.code, raised.value.message) == ("INVALID_ID", "Invalid Folder ID 999")
    assert components.events == []


def test_a_path_traversal_name_is_only_metadata(components, tmp_path):
    folder_id = folder_ids(components)["CrmFiles"]

    file = upload(components, folder_id, "../../escape.txt", b"secret", tmp_path)

    assert file["file_name"] == "../../escape.txt"
    assert list(tmp_path.rglob("escape.txt")) == []
    assert (blob_dir(components) / folder_id / file["id"]).read_bytes() == b"secret"
    folder = components.app().filestore().folder(folder_id)
    assert folder.download_file(file["id"]) == b"secret"


@pytest.mark.parametrize("settings", [Settings(file_max_bytes=1024)])
def test_a_file_of_exactly_the_limit_is_accepted(components, tmp_path):
    file = upload(components, folder_ids(components)["CrmFiles"], "edge", b"e" * 1024, tmp_path)

    assert file["file_size"] == "1024"


@pytest.mark.parametrize("settings", [Settings(file_max_bytes=1024)])
def test_a_file_one_byte_over_the_limit_is_refused_and_leaves_nothing(components, tmp_path):
    folder_id = folder_ids(components)["CrmFiles"]

    with api_error(components) as raised:
        upload(components, folder_id, "over", b"o" * 1025, tmp_path)

    assert (raised.value.code, raised.value.status_code) == ("INVALID_INPUT", 400)
    assert raised.value.message == "The file is larger than the File Store limit of 1024 bytes"
    assert list((blob_dir(components) / folder_id).iterdir()) == []
    assert components.runtime.filestore.files(folder_id) == []
    assert components.events == []


def test_folder_name_is_not_an_id_by_default(components):
    with api_error(components) as raised:
        components.app().filestore().get_folder_details("CrmFiles")

    assert (raised.value.code, raised.value.message) == ("INVALID_ID",
                                                         "Invalid Folder ID CrmFiles")


@pytest.mark.parametrize("settings", [Settings(names_as_ids=True)])
def test_folder_name_works_as_id_when_the_setting_is_on(components, tmp_path):
    folder_id = folder_ids(components)["CrmFiles"]

    file = upload(components, "CrmFiles", "by-name.txt", b"n", tmp_path)

    assert file["folder_details"] == folder_id
    assert components.events[0]["entity_id"] == folder_id
    folder = components.app().filestore().folder("CrmFiles")
    assert folder.download_file(file["id"]) == b"n"


def test_user_scoped_calls_with_a_foreign_user_token_are_401(components):
    headers = components.runtime.credentials.function_headers("req-1")
    headers["x-zc-user-cred-token"] = "1000.not.ours"

    with api_error(components) as raised:
        components.app(headers=headers).filestore().get_all_folders()

    assert (raised.value.code, raised.value.status_code) == ("INVALID_TOKEN", 401)


def test_missing_credential_is_401_with_the_envelope(components):
    response = httpx.get(f"{components.base}/folder")

    assert response.status_code == 401
    assert response.json() == {"status": "failure", "data": {
        "error_code": "INVALID_TOKEN",
        "message": "The OAuth token is invalid or was not issued by this emulator."}}


@pytest.mark.parametrize(("method", "path"), [("GET", "/folder/1/file"), ("PATCH", "/folder"),
                                              ("POST", "/folder/1/file/2/download")])
def test_wrong_method_is_405_with_the_envelope(components, method, path):
    response = httpx.request(method, components.base + path, headers=components.admin_headers())

    assert response.status_code == 405
    assert response.json()["data"]["error_code"] == "INVALID_REQUEST_METHOD"
