"""The upload host: headers, multipart, ZIP checks, the 25 MB limit and the status setting."""

from __future__ import annotations

import os
import re
import zipfile

import pytest

from catalyst_local.zoho.upload.errors import HEADER_ERROR_TEXT

from .conftest import csv_zip, make_zip

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def test_upload_answers_a_numeric_file_id(zoho):
    answer = zoho.upload(csv_zip("Last_Name,Company\nDoe,Acme\n"))
    assert answer.status_code == 200
    body = answer.json()
    details = body.pop("details")
    assert body == {"status": "success", "code": "FILE_UPLOAD_SUCCESS",
                    "message": "file uploaded."}
    assert re.fullmatch(r"\d{18,19}", details["file_id"])
    assert ISO.match(details["created_time"])


@pytest.mark.parametrize("headers", [{"feature": "bulk-read"}, {"X-CRM-ORG": "123"},
                                     {"feature": ""}])
def test_missing_or_invalid_feature_or_org_header_is_a_header_style_error(zoho, headers):
    answer = zoho.upload(csv_zip("Last_Name\nDoe\n"), headers=headers)
    assert answer.status_code == 400
    assert answer.headers["x-error"] == HEADER_ERROR_TEXT
    assert answer.json()["x-error"] == HEADER_ERROR_TEXT
    assert "code" not in answer.json()


def test_upload_without_a_token_is_invalid_token(zoho):
    answer = zoho.http.post(zoho.url("/upload/crm/v8/upload"),
                            headers={"feature": "bulk-write", "X-CRM-ORG": zoho.sandbox.org_id},
                            files={"file": ("a.zip", csv_zip("a\n1\n"))})
    assert (answer.status_code, answer.json()["code"]) == (401, "INVALID_TOKEN")


def _raw_upload(zoho, content_type: str, body: bytes):
    headers = {**zoho.auth(), "feature": "bulk-write", "X-CRM-ORG": zoho.sandbox.org_id,
               "Content-Type": content_type}
    return zoho.http.post(zoho.url("/upload/crm/v8/upload"), headers=headers, content=body)


@pytest.mark.parametrize("content_type", ["multipart/formdata", "multipart/form-data",
                                          "application/zip"])
def test_a_body_that_is_not_multipart_with_a_boundary_is_refused(zoho, content_type):
    answer = _raw_upload(zoho, content_type, csv_zip("a\n1\n"))
    assert answer.status_code == 400
    assert answer.json()["code"] == "INVALID_REQUEST"
    assert answer.json()["message"] == ("The body must be multipart/form-data, with a boundary "
                                        "and one part named file.")
    assert ISO.match(answer.json()["details"]["created_time"])


def test_truncated_multipart_and_a_wrongly_named_part_are_refused(zoho):
    truncated = (b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.zip\""
                 b"\r\n\r\nPK")
    assert _raw_upload(zoho, "multipart/form-data; boundary=XyZ",
                       truncated).json()["code"] == "INVALID_REQUEST"
    headers = {**zoho.auth(), "feature": "bulk-write", "X-CRM-ORG": zoho.sandbox.org_id}
    answer = zoho.http.post(zoho.url("/upload/crm/v8/upload"), headers=headers,
                            files={"upload": ("a.zip", csv_zip("a\n1\n"))})
    assert answer.json()["code"] == "INVALID_REQUEST"


def test_a_raw_csv_is_invalid_file_format(zoho):
    answer = zoho.upload(b"Last_Name,Company\nDoe,Acme\n", filename="leads.csv")
    assert answer.status_code == 400
    assert answer.json()["code"] == "INVALID_FILE_FORMAT"
    assert answer.json()["message"] == ("The file is not a zip file. Only zip files are "
                                        "supported.")
    assert answer.json()["status"] == "error"


def test_upload_error_status_setting_answers_200(zoho):
    zoho.admin("POST", "/settings", json={"upload_error_status_200": True}).raise_for_status()
    answer = zoho.upload(b"not a zip")
    assert (answer.status_code, answer.json()["code"]) == (200, "INVALID_FILE_FORMAT")


@pytest.mark.slow
def test_a_zip_over_25_mb_is_file_too_large(zoho):
    big = make_zip({"big.csv": os.urandom(26 * 1024 * 1024)}, compression=zipfile.ZIP_STORED)
    answer = zoho.upload(big)
    assert answer.status_code == 413
    assert answer.json()["code"] == "FILE_TOO_LARGE"
    assert answer.json()["message"] == "The file exceeds the size limit of 25 MB."
    assert list(zoho.sandbox.files_dir.iterdir()) == []


def test_every_api_version_serves_the_upload(zoho):
    headers = {**zoho.auth(), "feature": "bulk-write", "X-CRM-ORG": zoho.sandbox.org_id}
    for version in ("2", "2.1", "3", "8"):
        answer = zoho.http.post(zoho.url(f"/upload/crm/v{version}/upload"), headers=headers,
                                files={"file": ("a.zip", csv_zip("a\n1\n"))})
        assert answer.status_code == 200, version
    assert zoho.http.post(zoho.url("/upload/crm/v9/upload"), headers=headers).status_code == 404
