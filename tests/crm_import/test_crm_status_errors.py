"""`GET /status/<import id>` lists the first rows Zoho did not import, from the result ZIPs."""

import io
import zipfile

import httpx
import pytest
import respx
from crm_import import row_errors
from crm_import.record import BatchProgress, ImportRecord
from crm_import.service import handle
from crm_import.zoho_bulk import ZohoCrm
from crm_import.zoho_http import ZohoHttp
from fakes import FakeStore
from flask import Flask, request

TOKEN_URL = "https://accounts.zoho.com/oauth/v2/token"
API = "https://www.zohoapis.com"
ENV = {
    "CLIENT_ID": "cid", "CLIENT_SECRET": "cs", "REFRESH_TOKEN": "rt",
    "REFRESH_TOKEN_URL": TOKEN_URL, "CODELIB_SECRET_KEY": "s3cret",
}
KEY = {"catalyst-codelib-secret-key": "s3cret"}
HEADER = "Last_Name,Company,Email,STATUS,RECORD_ID,ERRORS\r\n"
BAD_ERRORS = "'errors' should be a whole number from 0 to 100."
# Batch 1 holds data rows 1-3 of the file, batch 2 rows 4-7, batch 3 rows 8-10.
RESULT_1 = HEADER + (
    "Lee,Acme,lee@acme.test,added,4876876000000001,\r\n"
    ",Beta,kim@beta.test,skipped,,MANDATORY_NOT_FOUND-Last_Name\r\n"
    "Park,Gamma,park@gamma.test,updated,4876876000000003,\r\n"
)
RESULT_3 = HEADER + (
    "Choi,,choi@x.test,Skipped,,MANDATORY_NOT_FOUND-Company\r\n"
    "Jung,Delta,jung@delta.test,ADDED,4876876000000009,\r\n"
    "Han,\"Epsilon, Inc\",not-an-email,unprocessed,,INVALID_DATA-Email:DUPLICATE_DATA-Company\r\n"
)
ABSOLUTE_1 = "https://download-accl.zoho.com/v2/crm/42/bulk-write/501/501.zip"
RELATIVE_3 = "/v8/crm/org42/bulk-write/503/503.zip"


def result_zip(text: str, name: str = "Leads-leads_1.csv") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, text.encode())
    return buffer.getvalue()


def job(job_id, added, updated, skipped, total, download_url=None, status="COMPLETED"):
    body = {"id": job_id, "status": status, "resource": [{"status": status, "file": {
        "added_count": added, "updated_count": updated, "skipped_count": skipped,
        "total_count": total}}]}
    if download_url:
        body["result"] = {"download_url": download_url}
    return httpx.Response(200, json=body)


@pytest.fixture
def store(tmp_path):
    store = FakeStore(tmp_path)
    record = ImportRecord("900", "Leads", "insert", "42", state="submitted", total_rows=10)
    record.batches = [
        BatchProgress(1, 3, 300, "z1", "501", "submitted"),
        BatchProgress(2, 4, 400, "z2", "502", "submitted"),
        BatchProgress(3, 3, 300, "z3", "503", "submitted"),
    ]
    store.default["CRM_BULK_JOB_PROGRESS_900"] = record.to_value()
    return store


@pytest.fixture
def client(store):
    app = Flask(__name__)

    def quick_crm(config, share):
        return ZohoCrm(config, share, ZohoHttp(sleep=lambda seconds: None))

    @app.route("/<path:path>")
    def view(path):
        return handle(request, env=ENV, store_factory=lambda: store, crm_factory=quick_crm)

    return app.test_client()


@pytest.fixture
def zoho():
    with respx.mock(assert_all_called=False) as mock:
        mock.post(TOKEN_URL, name="token").mock(
            return_value=httpx.Response(200, json={"access_token": "1000.t", "expires_in": 3600}))
        mock.get(f"{API}/crm/bulk/v8/write/501").mock(return_value=job("501", 1, 1, 1, 3,
                                                                         ABSOLUTE_1))
        mock.get(f"{API}/crm/bulk/v8/write/502").mock(return_value=job(
            "502", 4, 0, 0, 4, "https://download-accl.zoho.com/v2/crm/42/bulk-write/502/502.zip"))
        mock.get(f"{API}/crm/bulk/v8/write/503").mock(return_value=job("503", 1, 0, 1, 3,
                                                                         RELATIVE_3))
        mock.get(ABSOLUTE_1, name="result_1").mock(
            return_value=httpx.Response(200, content=result_zip(RESULT_1)))
        mock.get(f"{API}{RELATIVE_3}", name="result_3").mock(
            return_value=httpx.Response(200, content=result_zip(RESULT_3)))
        yield mock


def status(client, query=""):
    response = client.get(f"/status/900{query}", headers=KEY)
    return response.status_code, response.get_json()


ROW_2 = {"row": 2, "status": "skipped", "errors": "MANDATORY_NOT_FOUND-Last_Name"}
ROW_8 = {"row": 8, "status": "skipped", "errors": "MANDATORY_NOT_FOUND-Company"}
ROW_10 = {"row": 10, "status": "unprocessed",
          "errors": "INVALID_DATA-Email:DUPLICATE_DATA-Company"}


def test_the_first_rows_not_imported_are_listed_per_batch_and_per_import(client, zoho):
    code, body = status(client)
    assert code == 200
    data = body["data"]
    assert [batch.get("errors") for batch in data["batches"]] == [[ROW_2], [], [ROW_8, ROW_10]]
    assert data["errors"] == [ROW_2, ROW_8, ROW_10]
    assert [batch["failed"] for batch in data["batches"]] == [0, 0, 1]

    for name in ("result_1", "result_3"):
        (call,) = zoho.routes[name].calls
        assert call.request.headers["Authorization"] == "Zoho-oauthtoken 1000.t"


def test_no_row_value_leaves_the_result(client, zoho):
    response = client.get("/status/900", headers=KEY)
    text = response.get_data(as_text=True)
    for value in ("Lee", "Beta", "kim@beta.test", "Epsilon", "not-an-email", "4876876000000009"):
        assert value not in text


def test_a_batch_whose_counts_show_no_failure_is_not_downloaded(client, zoho):
    batch_2 = zoho.get("https://download-accl.zoho.com/v2/crm/42/bulk-write/502/502.zip")
    status(client)
    assert batch_2.call_count == 0


def test_errors_n_limits_each_list(client, zoho):
    code, body = status(client, "?errors=1")
    assert code == 200
    assert [batch.get("errors") for batch in body["data"]["batches"]] == [[ROW_2], [], [ROW_8]]
    assert body["data"]["errors"] == [ROW_2]


def test_errors_0_reads_no_result(client, zoho):
    code, body = status(client, "?errors=0")
    assert code == 200
    assert "errors" not in body["data"]
    assert all("errors" not in batch for batch in body["data"]["batches"])
    assert zoho.routes["result_1"].call_count == 0 and zoho.routes["result_3"].call_count == 0


@pytest.mark.parametrize("query", ["?errors=101", "?errors=-1", "?errors=abc", "?errors=",
                                   "?errors=1.5", "?errors=%D9%A3"])
def test_an_invalid_errors_value_is_400(client, zoho, query):
    code, body = status(client, query)
    assert (code, body) == (400, {"status": "failure", "message": BAD_ERRORS})


def test_errors_100_is_accepted(client, zoho):
    assert status(client, "?errors=100")[1]["data"]["errors"] == [ROW_2, ROW_8, ROW_10]


@pytest.mark.parametrize(("answer", "reason"), [
    (httpx.Response(404, json={"code": "RESOURCE_NOT_FOUND"}), "the result download answered 404"),
    (httpx.Response(200, content=b"not a zip"), "the result ZIP is unreadable (BadZipFile)"),
    (httpx.Response(200, content=result_zip("Last_Name,Company\r\nLee,Acme\r\n")),
     "the result CSV has no STATUS column"),
    (httpx.Response(200, content=result_zip("")), "the result CSV is empty"),
    (httpx.ConnectError("down"),
     "Downloading job result in zoho crm request failed with statusCode 0 (could not connect)"),
])
def test_a_result_that_cannot_be_read_leaves_errors_absent(client, zoho, caplog, answer, reason):
    if isinstance(answer, Exception):
        zoho.routes["result_1"].mock(side_effect=answer)
    else:
        zoho.routes["result_1"].mock(return_value=answer)
    code, body = status(client)
    assert code == 200
    batches = body["data"]["batches"]
    assert "errors" not in batches[0]
    assert batches[2]["errors"] == [ROW_8, ROW_10]
    assert body["data"]["errors"] == [ROW_8, ROW_10]
    (warning,) = [r for r in caplog.records if r.name == "crm_import.status"]
    assert warning.levelname == "WARNING"
    assert warning.getMessage() == f"Could not read the result of job 501: {reason}"
    assert "Lee" not in caplog.text and "1000.t" not in caplog.text


def test_an_oversize_result_is_not_read(client, zoho, monkeypatch, caplog):
    monkeypatch.setattr(row_errors, "RESULT_MAX_BYTES", 100)
    code, body = status(client)
    assert code == 200
    assert "Could not read the result of job 501: the result ZIP is larger than the download" \
           " limit" in caplog.text
    assert all("errors" not in batch for batch in body["data"]["batches"][::2])

    # Without a Content-Length the limit holds while streaming.
    zoho.routes["result_1"].mock(return_value=httpx.Response(
        200, content=iter([result_zip(RESULT_1)[:80], result_zip(RESULT_1)[80:]])))
    caplog.clear()
    status(client)
    assert "Could not read the result of job 501: the result ZIP is larger" in caplog.text


def test_a_result_url_off_zoho_never_gets_the_token(client, zoho, caplog):
    elsewhere = zoho.get("https://download.example.org/501.zip")
    zoho.routes[1].mock(return_value=job("501", 1, 1, 1, 3, "https://download.example.org/501.zip"))
    code, body = status(client)
    assert code == 200 and "errors" not in body["data"]["batches"][0]
    assert elsewhere.call_count == 0
    assert "the result download_url is not on a Zoho host" in caplog.text


def test_an_expired_token_on_download_is_refreshed_once(client, zoho):
    zoho.routes["token"].mock(side_effect=[
        httpx.Response(200, json={"access_token": "1000.a", "expires_in": 3600}),
        httpx.Response(200, json={"access_token": "1000.b", "expires_in": 3600}),
    ])
    zoho.routes["result_1"].mock(side_effect=[
        httpx.Response(401, json={"code": "INVALID_TOKEN", "message": "invalid oauth token"}),
        httpx.Response(200, content=result_zip(RESULT_1)),
    ])
    code, body = status(client)
    assert body["data"]["batches"][0]["errors"] == [ROW_2]
    assert [c.request.headers["Authorization"] for c in zoho.routes["result_1"].calls] == [
        "Zoho-oauthtoken 1000.a", "Zoho-oauthtoken 1000.b"]


def test_unfinished_jobs_are_not_downloaded(client, zoho):
    zoho.routes[1].mock(return_value=job("501", 0, 0, 0, 3, status="IN PROGRESS"))
    code, body = status(client)
    assert "errors" not in body["data"]["batches"][0]
    assert zoho.routes["result_1"].call_count == 0
    assert body["data"]["errors"] == [ROW_8, ROW_10]
    running = body["data"]["batches"][0]
    assert (running["added"], running["skipped"], running["failed"]) == (0, 0, None)


def test_an_input_column_named_status_does_not_confuse_the_reader():
    text = ("Status,Name,STATUS,RECORD_ID,ERRORS\n"
            "skipped,a,added,1,\n"
            "added,b,SKIPPED,,DUPLICATE_DATA-Email\n"
            "\n"
            "added,c,skipped,,INVALID_DATA-Phone\n")
    rows = row_errors.failed_rows(io.BytesIO(result_zip("\ufeff" + text)), 26, 5)
    assert rows == [
        {"row": 27, "status": "skipped", "errors": "DUPLICATE_DATA-Email"},
        {"row": 28, "status": "skipped", "errors": "INVALID_DATA-Phone"},
    ]


@pytest.mark.parametrize(("download_url", "expected"), [
    (RELATIVE_3, f"{API}{RELATIVE_3}"),
    ("v8/crm/x.zip", f"{API}/v8/crm/x.zip"),
    (ABSOLUTE_1, ABSOLUTE_1),
])
def test_result_urls_resolve_against_the_api_domain(download_url, expected):
    assert row_errors.result_url(download_url, API + "/") == expected


@pytest.mark.parametrize(("url", "trusted"), [
    ("https://download-accl.zoho.com/x.zip", True),
    ("https://download.zoho.eu/x.zip", True),
    ("https://www.zohoapis.in/v8/x.zip", True),
    ("http://download-accl.zoho.com/x.zip", False),
    ("https://zoho.com.evil.test/x.zip", False),
    ("https://evilzoho.com/x.zip", False),
    ("http://127.0.0.1:8080/zoho/com/download/x.zip", True),
    ("http://127.0.0.2:8080/x.zip", False),
])
def test_only_zoho_hosts_are_trusted(url, trusted):
    assert row_errors.trusted_host(url, "http://127.0.0.1:8080/zoho/com/api") is trusted
