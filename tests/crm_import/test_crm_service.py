import io
import json

import httpx
import pytest
import respx
from crm_import.config import max_upload_bytes, size_label
from crm_import.record import ImportRecord
from crm_import.service import handle
from crm_import.zoho_bulk import ZohoCrm
from crm_import.zoho_http import ZohoHttp
from fakes import FakeStore
from flask import Flask, request

ENV = {
    "CLIENT_ID": "cid", "CLIENT_SECRET": "cs", "REFRESH_TOKEN": "rt",
    "REFRESH_TOKEN_URL": "https://accounts.zoho.com/oauth/v2/token",
    "CODELIB_SECRET_KEY": "s3cret",
}
KEY = {"catalyst-codelib-secret-key": "s3cret"}
CSV = b"Last_Name,Company,Email\nLee,Acme,a@x.com\n"
API = "https://www.zohoapis.com"
NO_PERMISSION = (
    "You don't have permission to perform this operation. "
    "Kindly contact your administrator for more details."
)
NOT_UTF_8 = ("'file' should be a csv file: its start is not UTF-8 text (name its charset in "
             "the file part's Content-Type, e.g. text/csv; charset=windows-1252).")
GENERIC = "We're unable to process your request. Kindly check logs to know more details."


def quick_crm(config, share):
    return ZohoCrm(config, share, ZohoHttp(sleep=lambda seconds: None))


@pytest.fixture
def store(tmp_path):
    return FakeStore(tmp_path)


@pytest.fixture
def client(store):
    env = dict(ENV)
    app = Flask(__name__)

    def view(path=""):
        return handle(request, env=env, store_factory=lambda: store, crm_factory=quick_crm)

    methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
    app.add_url_rule("/", "root", view, methods=methods)
    app.add_url_rule("/<path:path>", "any", view, methods=methods)
    test_client = app.test_client()
    test_client.env = env
    return test_client


def post_job(client, file=CSV, name="leads.csv", ctype="text/csv", headers=KEY, **fields):
    data = {"module_name": "Leads", "org_id": "42", **fields}
    if file is not None:
        data["file"] = (io.BytesIO(file), name, ctype)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post("/job", data=data, headers=headers, content_type="multipart/form-data")


def failure(response):
    assert response.get_json()["status"] == "failure"
    return response.status_code, response.get_json()["message"]


# -- secret key --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/job", "/status/123", "/nowhere", "/"])
@pytest.mark.parametrize("headers", [{}, {"catalyst-codelib-secret-key": ""},
                                     {"catalyst-codelib-secret-key": "wrong"}])
def test_every_path_needs_the_secret(client, path, headers):
    assert failure(client.get(path, headers=headers)) == (401, NO_PERMISSION)
    assert failure(client.post(path, headers=headers)) == (401, NO_PERMISSION)


def test_the_shipped_fake_key_never_passes(client):
    client.env["CODELIB_SECRET_KEY"] = "CODELIB_FAKE_KEY"
    response = client.get("/x", headers={"catalyst-codelib-secret-key": "CODELIB_FAKE_KEY"})
    assert failure(response) == (401, NO_PERMISSION)


def test_an_unset_key_never_passes(client):
    del client.env["CODELIB_SECRET_KEY"]
    assert failure(client.get("/x", headers={"catalyst-codelib-secret-key": ""})) == (
        401, NO_PERMISSION)


def test_the_header_name_is_case_insensitive_and_unknown_paths_are_404(client):
    response = client.get("/x", headers={"Catalyst-Codelib-Secret-Key": "s3cret"})
    assert failure(response) == (404, "We couldn't find the requested url.")
    assert failure(client.get("/job", headers=KEY)) == (404, "We couldn't find the requested url.")
    assert failure(client.get("/status", headers=KEY))[0] == 404


# -- POST /job validation ----------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "message"), [
    ({"file": None}, "'file' cannot be empty."),
    ({"file": b""}, "'file' cannot be empty."),
    ({"file": b"\x89PNG\r\n\x1a\n\x00\x00"}, NOT_UTF_8),
    ({"file": b"only,a,header\n"},
     "'file' should be a csv file: it has a header row but no data row."),
    ({"file": b"\xff\xfe,x\n1,2\n"}, NOT_UTF_8),
    ({"file": b"\n \n"}, "'file' should be a csv file: it has no header row."),
    ({"module_name": None}, "'module_name' cannot be empty."),
    ({"module_name": " "}, "'module_name' cannot be empty."),
    ({"org_id": None}, "'org_id' cannot be empty."),
    ({"module_name": "Leads/../x"}, "'module_name' is invalid."),
    ({"module_name": "Calls"}, "'module_name' Calls is not supported by bulk write."),
    ({"operation": "delete"}, "'operation' should be one of insert, update or upsert."),
    ({"operation": "upsert"}, "'find_by' cannot be empty for upsert."),
    ({"field_mappings": "{}"}, "'field_mappings' is invalid."),
    ({"field_mappings": "[{\"index\": 0}]"}, "'field_mappings' is invalid."),
    ({"mapping": "[1]"}, "'mapping' is invalid."),
    ({"mapping": "not json"}, "'mapping' is invalid."),
    ({"mapping": "{\"Phone\": \"Phone\"}"},
     "'mapping' names a column the file does not have: Phone"),
    ({"mapping": "{\"Email\": \"Email\"}", "field_mappings": "[{\"api_name\": \"Email\"}]"},
     "'field_mappings' and 'mapping' cannot be used together."),
    ({"field_mappings": json.dumps([{"api_name": "F" * 100}] * 200)},
     "'field_mappings' is too long."),
    ({"org_id": "4" * 17_000}, "'org_id' is too long."),
    ({"operation": "upsert", "find_by": "E" * 17_000}, "'find_by' is too long."),
])
def test_validation_messages(client, store, kwargs, message):
    assert failure(post_job(client, **kwargs)) == (400, message)
    assert store.files == {} and store.jobs == {}


def test_validation_order_file_before_fields(client):
    response = post_job(client, file=b"\x00\x01", module_name=None, org_id=None)
    assert failure(response) == (400, "'file' should be a csv file: it has a header row but "
                                      "no data row.")


def test_a_second_file_is_refused(client):
    data = {"module_name": "Leads", "org_id": "42",
            "file": [(io.BytesIO(CSV), "a.csv"), (io.BytesIO(CSV), "b.csv")]}
    response = client.post("/job", data=data, headers=KEY, content_type="multipart/form-data")
    assert failure(response) == (400, "'file' should contain a maximum of 1 files.")


def test_a_file_under_another_name_is_refused_naming_it(client):
    data = {"module_name": "Leads", "org_id": "42", "upload": (io.BytesIO(CSV), "a.csv")}
    response = client.post("/job", data=data, headers=KEY, content_type="multipart/form-data")
    assert failure(response) == (400, "'upload' is not a field of this form: send the CSV "
                                      "file as 'file'.")


def test_a_file_in_a_declared_charset_passes_and_an_undeclared_one_is_explained(client):
    latin = "Last_Name,Company\nMüller,Café\n".encode("latin-1")
    data = {"module_name": "Leads", "org_id": "42",
            "file": (io.BytesIO(latin), "a.csv", "text/csv; charset=latin-1")}
    response = client.post("/job", data=data, headers=KEY, content_type="multipart/form-data")
    assert response.status_code == 200
    assert failure(post_job(client, file=latin)) == (400, NOT_UTF_8)


def _raw_form(client, parts: list[bytes]):
    body = b"".join(parts) + b"--b--\r\n"
    return client.post("/job", data=body, headers={
        **KEY, "Content-Type": "multipart/form-data; boundary=b"})


def _part(name: str, value: bytes) -> bytes:
    return (f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n').encode() + (
        value + b"\r\n")


def test_a_text_field_that_is_not_utf_8_is_named(client):
    response = _raw_form(client, [_part("module_name", b"Lea\xffds")])
    assert failure(response) == (400, "'module_name' is not UTF-8 text.")


def test_text_fields_over_a_megabyte_in_all_name_the_field_that_crossed_it(client):
    response = _raw_form(client, [_part("find_by", b"x" * (1024 * 1024 + 1))])
    assert failure(response) == (400, "'find_by' is too long: the form's text fields may hold "
                                      "1 MB in all.")


def test_a_form_of_too_many_parts_says_so(client):
    response = _raw_form(client, [_part(f"extra_{n}", b"1") for n in range(51)])
    assert failure(response) == (400, "The form has more than 50 parts.")


def test_oversize_is_refused_while_streaming(client, store):
    client.env["MAX_UPLOAD_BYTES"] = "100"
    assert failure(post_job(client, file=CSV * 10)) == (
        400, "'file' should be a maximum size of 100 bytes.")
    client.env["MAX_UPLOAD_BYTES"] = str(len(CSV))
    assert post_job(client).status_code == 200


def test_the_default_limit_is_worded_80_mb():
    assert max_upload_bytes({}) == 83_886_080
    assert size_label(83_886_080) == "80 MB"


@pytest.mark.parametrize(("body", "ctype"), [
    (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nx",
     "multipart/form-data; boundary=b"),
    (b"garbage", "multipart/form-data"),
    (b"{not json", "application/json"),
])
def test_parse_failures_are_400_with_the_envelope(client, body, ctype):
    response = client.post("/job", data=body, headers={**KEY, "Content-Type": ctype})
    assert failure(response) == (400, "We're unable to process your request.")


def test_a_json_body_has_no_file(client):
    response = client.post("/job", json={"module_name": "Leads"}, headers=KEY)
    assert failure(response) == (400, "'file' cannot be empty.")


# -- POST /job success -------------------------------------------------------------------------

@pytest.mark.parametrize("ctype", ["text/csv", "application/octet-stream",
                                   "application/vnd.ms-excel", "text/plain", "image/png"])
def test_any_declared_type_passes_the_content_sniff(client, ctype):
    assert post_job(client, ctype=ctype).status_code == 200


def test_success_stores_the_file_then_the_record_then_the_put(client, store):
    response = post_job(client, name="../../etc/My Leads\x07.csv")
    assert response.status_code == 200
    file_id = "4000000000001"
    assert response.get_json() == {
        "status": "success",
        "message": "Zoho-Crm bulk write will be scheduled in a while.",
        "import_id": file_id,
        "file_id": file_id,
        "cache_key": f"CRM_BULK_JOB_{file_id}",
        "status_url": f"/server/crm_bulk_job_service/status/{file_id}",
    }
    assert store.writes == [
        ("file", file_id),
        ("put_default", f"CRM_BULK_JOB_PROGRESS_{file_id}"),
        ("put_job", f"CRM_BULK_JOB_{file_id}"),
    ]
    name, path = store.files[file_id]
    assert name == "My Leads.csv"
    assert path.read_bytes() == CSV
    assert json.loads(store.jobs[f"CRM_BULK_JOB_{file_id}"]) == {
        "orgId": "42", "fileId": file_id, "moduleName": "Leads",
    }
    record = ImportRecord.from_value(file_id, store.default[f"CRM_BULK_JOB_PROGRESS_{file_id}"])
    assert (record.state, record.module, record.operation, record.org_id) == (
        "queued", "Leads", "insert", "42")


def test_mapping_by_header_name_becomes_field_mappings(client, store):
    csv = b"First Name,Last Name,Email\nAnn,Lee,a@x.com\n"
    mapping = json.dumps({"First Name": "First_Name", "Email": "Email"})
    response = post_job(client, file=csv, module_name="Contacts", mapping=mapping,
                        operation="upsert", find_by="Email")
    assert response.status_code == 200
    value = json.loads(store.jobs["CRM_BULK_JOB_4000000000001"])
    assert value == {
        "orgId": "42", "fileId": "4000000000001", "moduleName": "Contacts",
        "operation": "upsert", "findBy": "Email",
        "fieldMappings": [
            {"api_name": "First_Name", "index": 0}, {"api_name": "Email", "index": 2},
        ],
    }


def test_a_declared_charset_is_recorded(client, store):
    csv = "Last_Name,Company\nCafé,Acme\n".encode("cp1252")
    response = post_job(client, file=csv, ctype="text/csv; charset=windows-1252")
    assert response.status_code == 200
    assert json.loads(store.jobs["CRM_BULK_JOB_4000000000001"])["encoding"] == "cp1252"


def test_a_failed_put_removes_the_uploaded_file(client, store):
    store.fail_on = "put_job"
    assert failure(post_job(client)) == (500, GENERIC)
    assert store.files == {}


def test_an_unexpected_error_is_500_with_the_generic_message(client, store, caplog):
    store.fail_on = "upload_file"
    assert failure(post_job(client)) == (500, GENERIC)
    assert "Error ::: RuntimeError: upload_file broke" in caplog.text


# -- GET /status -------------------------------------------------------------------------------

def test_an_id_that_is_not_digits_is_invalid(client):
    assert failure(client.get("/status/12a", headers=KEY)) == (400, "'jobId' is invalid.")
    assert failure(client.get("/status/%E2%91%A0", headers=KEY)) == (400, "'jobId' is invalid.")


@respx.mock
def test_a_job_id_without_record_is_proxied(client):
    respx.post("https://accounts.zoho.com/oauth/v2/token").mock(
        return_value=httpx.Response(200, json={"access_token": "1000.t", "expires_in": 3600}))
    body = {"id": "777", "status": "COMPLETED", "resource": []}
    route = respx.get(f"{API}/crm/bulk/v8/write/777").mock(
        return_value=httpx.Response(200, json=body))
    response = client.get("/status/777", headers=KEY)
    assert response.status_code == 200
    assert response.get_json() == {"status": "success", "data": body}
    assert route.calls[0].request.headers["Authorization"] == "Zoho-oauthtoken 1000.t"


@respx.mock
def test_zoho_errors_keep_their_status_and_message(client):
    respx.post("https://accounts.zoho.com/oauth/v2/token").mock(
        return_value=httpx.Response(200, json={"access_token": "1000.t", "expires_in": 3600}))
    respx.get(f"{API}/crm/bulk/v8/write/1").mock(return_value=httpx.Response(
        404, json={"code": "RESOURCE_NOT_FOUND", "message": "The requested resource doesn't exist.",
                   "status": "error"}))
    respx.get(f"{API}/crm/bulk/v8/write/2").mock(return_value=httpx.Response(403))
    respx.get(f"{API}/crm/bulk/v8/write/3").mock(side_effect=httpx.ConnectError("down"))
    assert failure(client.get("/status/1", headers=KEY)) == (
        404, "The requested resource doesn't exist.")
    assert failure(client.get("/status/2", headers=KEY)) == (403, GENERIC)
    assert failure(client.get("/status/3", headers=KEY)) == (500, GENERIC)


@respx.mock
def test_an_import_id_reports_each_batch_with_live_counts(client, store):
    from crm_import.record import BatchProgress
    record = ImportRecord("900", "Leads", "insert", "42", state="submitted", total_rows=30)
    record.batches = [
        BatchProgress(1, 25, 1000, "z1", "501", "submitted"),
        BatchProgress(2, 5, 200, None, None, "pending"),
    ]
    store.default["CRM_BULK_JOB_PROGRESS_900"] = record.to_value()
    respx.post("https://accounts.zoho.com/oauth/v2/token").mock(
        return_value=httpx.Response(200, json={"access_token": "1000.t", "expires_in": 3600}))
    job = respx.get(f"{API}/crm/bulk/v8/write/501").mock(return_value=httpx.Response(200, json={
        "id": "501", "status": "COMPLETED", "resource": [{"file": {
            "added_count": 20, "updated_count": 0, "skipped_count": 3, "total_count": 25}}]}))
    response = client.get("/status/900", headers=KEY)
    assert response.status_code == 200
    assert response.get_json() == {"status": "success", "data": {
        "import_id": "900", "state": "submitted", "module": "Leads", "operation": "insert",
        "total_rows": 30, "batches": [
            {"index": 1, "rows": 25, "bytes": 1000, "zoho_file_id": "z1", "job_id": "501",
             "state": "submitted", "job_status": "COMPLETED", "added": 20, "updated": 0,
             "skipped": 3, "failed": 2},
            {"index": 2, "rows": 5, "bytes": 200, "zoho_file_id": None, "job_id": None,
             "state": "pending", "job_status": None, "added": None, "updated": None,
             "skipped": None, "failed": None},
        ], "errors": []}}
    assert job.calls[0].request.headers["X-CRM-ORG"] == "42"
