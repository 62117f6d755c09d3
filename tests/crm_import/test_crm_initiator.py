import io
import json
import tempfile
import zipfile

import httpx
import pytest
import respx
from crm_import.initiator import handle
from crm_import.job_spec import JobSpec
from crm_import.record import ImportRecord
from crm_import.zoho_bulk import ZohoCrm
from crm_import.zoho_http import ZohoHttp
from fakes import FakeStore

TOKEN_URL = "https://accounts.zoho.com/oauth/v2/token"
UPLOAD = "https://content.zohoapis.com/crm/v8/upload"
JOBS = "https://www.zohoapis.com/crm/bulk/v8/write"
FIELDS = "https://www.zohoapis.com/crm/v8/settings/fields"
ENV = {
    "CLIENT_ID": "cid", "CLIENT_SECRET": "cs", "REFRESH_TOKEN": "rt",
    "REFRESH_TOKEN_URL": TOKEN_URL, "BATCH_MAX_BYTES": "45",
}
CSV = b"Last_Name,Company\nLee,Acme\nKim,Beta\n\nPark,Gamma\nChoi,Delta\n"


def field(api_name, label, data_type="text", mandatory=False, read_only=False):
    return {"api_name": api_name, "display_label": label, "field_label": label,
            "data_type": data_type, "system_mandatory": mandatory, "read_only": read_only,
            "field_read_only": read_only, "length": 255}


LEADS_FIELDS = [
    field("Owner", "Lead Owner", "ownerlookup"),
    field("First_Name", "First Name"),
    field("Last_Name", "Last Name", mandatory=True),
    field("Company", "Company", mandatory=True),
    field("Email", "Email", "email"),
    field("Lead_Source", "Lead Source", "picklist"),
    field("Annual_Revenue", "Annual Revenue", "currency"),
    field("Created_Time", "Created Time", "datetime", read_only=True),
]


class Context:
    def __init__(self) -> None:
        self.closed = []

    def close_with_success(self):
        self.closed.append("success")

    def close_with_failure(self):
        self.closed.append("failure")


@pytest.fixture
def store(tmp_path):
    (tmp_path / "files").mkdir()
    return FakeStore(tmp_path / "files")


@pytest.fixture
def temp_root(tmp_path, monkeypatch):
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


@pytest.fixture
def zoho():
    with respx.mock(assert_all_called=False) as mock:
        mock.post(TOKEN_URL).mock(
            return_value=httpx.Response(200, json={"access_token": "1000.t", "expires_in": 3600}))
        uploads = iter(range(7001, 7100))
        mock.post(UPLOAD).mock(side_effect=lambda request: httpx.Response(
            200, json={"status": "success", "details": {"file_id": str(next(uploads))}}))
        jobs = iter(range(9001, 9100))
        mock.post(JOBS).mock(side_effect=lambda request: httpx.Response(
            201, json={"status": "success", "details": {"id": str(next(jobs))}}))
        mock.get(FIELDS, name="fields").mock(
            return_value=httpx.Response(200, json={"fields": LEADS_FIELDS}))
        yield mock


def quick_crm(config, share):
    return ZohoCrm(config, share, ZohoHttp(sleep=lambda seconds: None))


def run(store, key, value, env=ENV):
    context = Context()
    event = {"data": {"cache_name": key, "cache_value": value}}
    handle(event, context, env=env, store_factory=lambda: store, crm_factory=quick_crm)
    return context.closed


def queue(store, content=CSV, module="Leads", name="leads.csv", **spec):
    file_id = store.add_file(name, content)
    value = JobSpec("42", file_id, module, **spec).to_value()
    return file_id, f"CRM_BULK_JOB_{file_id}", value


def record(store, file_id) -> ImportRecord:
    return ImportRecord.from_value(file_id, store.default[f"CRM_BULK_JOB_PROGRESS_{file_id}"])


def zipped_csv(request: httpx.Request) -> tuple[str, bytes]:
    content = request.read()
    start = content.index(b"PK\x03\x04")
    end = content.rindex(b"\r\n--")
    with zipfile.ZipFile(io.BytesIO(content[start:end])) as archive:
        (name,) = archive.namelist()
        return name, archive.read(name)


def test_keys_without_the_prefix_are_ignored(store, caplog):
    caplog.set_level("INFO")
    assert run(store, "SOMETHING_ELSE", "{}") == ["success"]
    assert store.writes == []
    assert "Ignoring cache key 'SOMETHING_ELSE'" in caplog.text


@pytest.mark.parametrize("value", [
    "not json", "[]", '{"orgId": "1", "fileId": "2"}',
    '{"orgId": "", "fileId": 2, "moduleName": "L"}',
    '{"orgId": "1", "fileId": true, "moduleName": "Leads"}',
])
def test_an_invalid_value_fails(store, value):
    assert run(store, "CRM_BULK_JOB_1", value) == ["failure"]
    assert store.writes == []


def test_a_numeric_file_id_is_accepted(store, zoho, temp_root):
    file_id = store.add_file("leads.csv", CSV)
    value = json.dumps({"orgId": "42", "fileId": int(file_id), "moduleName": "Leads"})
    assert run(store, f"CRM_BULK_JOB_{file_id}", value) == ["success"]


def test_full_import(store, zoho, temp_root, caplog):
    caplog.set_level("INFO")
    file_id, key, value = queue(store)
    store.jobs[key] = value
    assert run(store, key, value) == ["success"]

    uploads = zoho.routes[1].calls
    assert [zipped_csv(call.request) for call in uploads] == [
        ("leads_1.csv", b"Last_Name,Company\nLee,Acme\nKim,Beta\n"),
        ("leads_2.csv", b"Last_Name,Company\nPark,Gamma\nChoi,Delta\n"),
    ]
    assert b'filename="leads_1.zip"' in uploads[0].request.content
    bodies = [json.loads(call.request.content) for call in zoho.routes[2].calls]
    assert [b["resource"][0]["file_id"] for b in bodies] == ["7001", "7002"]
    assert bodies[0] == {"operation": "insert", "character_encoding": "UTF-8", "resource": [
        {"type": "data", "module": {"api_name": "Leads"}, "file_id": "7001"}]}

    done = record(store, file_id)
    assert done.state == "submitted" and done.total_rows == 4
    assert [(b.rows, b.zoho_file_id, b.job_id, b.state) for b in done.batches] == [
        (2, "7001", "9001", "submitted"), (2, "7002", "9002", "submitted")]
    assert key not in store.jobs and file_id not in store.files
    assert ("Zoho CRM bulk write job has been scheduled with ::: 2 records and job id for the"
            " same is ::: 9001") in caplog.text
    assert "Total Records Scheduled For Processing ::: 4" in caplog.text
    assert "1000.t" not in caplog.text and "Lee" not in caplog.text
    assert list(temp_root.iterdir()) == []


def test_a_failed_batch_keeps_everything_and_a_redelivery_resumes(store, zoho, temp_root, caplog):
    file_id, key, value = queue(store)
    store.jobs[key] = value
    zoho.routes[2].mock(side_effect=[
        httpx.Response(201, json={"status": "success", "details": {"id": "9001"}}),
        httpx.Response(400, json={"code": "MANDATORY_FIELDS_NOT_MAPPED", "status": "error",
                                  "message": "All mandatory fields are not mapped"}),
        httpx.Response(201, json={"status": "success", "details": {"id": "9002"}}),
    ])
    assert run(store, key, value) == ["failure"]
    failed = record(store, file_id)
    assert failed.state == "failed"
    assert failed.reason == (
        "Creating job in zoho crm request failed with statusCode 400"
        " (MANDATORY_FIELDS_NOT_MAPPED: All mandatory fields are not mapped)")
    assert [b.job_id for b in failed.batches] == ["9001", None]
    assert file_id in store.files  # kept until every batch is settled
    assert f"Kept cache key {key} and File Store file {file_id}" in caplog.text
    assert list(temp_root.iterdir()) == []

    assert run(store, key, value) == ["success"]
    assert zoho.routes[1].call_count == 3  # batch 1 was not uploaded again
    assert zoho.routes[2].call_count == 3
    assert [b.job_id for b in record(store, file_id).batches] == ["9001", "9002"]
    assert key not in store.jobs and file_id not in store.files


def test_a_lost_job_answer_marks_the_batch_uncertain_and_is_never_retried(store, zoho, temp_root):
    file_id, key, value = queue(store)
    zoho.routes[2].mock(side_effect=httpx.ReadTimeout("slow"))
    assert run(store, key, value) == ["failure"]
    first = record(store, file_id)
    assert [b.state for b in first.batches] == ["uncertain", "pending"]
    assert first.reason.startswith("batch 1: the bulk write job request got no answer")

    zoho.routes[2].mock(side_effect=None, return_value=httpx.Response(
        201, json={"status": "success", "details": {"id": "1"}}))
    assert run(store, key, value) == ["failure"]
    # Batch 1 is never sent again; batch 2 does not wait for it.
    assert zoho.routes[2].call_count == 2
    again = record(store, file_id)
    assert [b.state for b in again.batches] == ["uncertain", "submitted"]
    assert again.reason.startswith(
        f"batch 1 (data rows 1 to {again.batches[0].rows:,}) may already have a bulk write job")
    assert again.reason.endswith("every other batch has its job")
    assert file_id in store.files  # kept until every batch is settled

    assert run(store, key, value) == ["failure"]  # a redelivery changes nothing
    assert zoho.routes[2].call_count == 2


def test_a_run_that_dies_before_saving_the_job_id_never_creates_a_second_job(
        store, zoho, temp_root):
    file_id, key, value = queue(store)

    def created_then_the_process_dies(request):
        # The record can no longer be written: as if the process was killed right here.
        store.fail_on = "put_default"
        return httpx.Response(201, json={"status": "success", "details": {"id": "7001"}})

    zoho.routes[2].mock(side_effect=created_then_the_process_dies)
    assert run(store, key, value) == ["failure"]
    assert [b.state for b in record(store, file_id).batches][0] == "uncertain"

    store.fail_on = None
    zoho.routes[2].mock(side_effect=None, return_value=httpx.Response(
        201, json={"status": "success", "details": {"id": "7002"}}))
    assert run(store, key, value) == ["failure"]
    assert zoho.routes[2].call_count == 2  # batch 2's job only
    assert record(store, file_id).reason.startswith("batch 1 (data rows 1 to ")


@pytest.mark.parametrize(("content", "module", "reason"), [
    (b"Email,Email\na,b\n", "Leads", "column 2 repeats the header name of an earlier column"),
    (b"a,b\n1,2,3\n", "Leads", "line 2 has 3 fields; the header row has 2"),
    (b"a,b\n1,2\n", "Calls", "module Calls is not supported by bulk write"),
    (b"a,b\n", "Leads", "the file has a header row but no data rows"),
])
def test_bad_files_fail_before_any_zoho_call(store, zoho, temp_root, content, module, reason):
    file_id, key, value = queue(store, content, module)
    assert run(store, key, value) == ["failure"]
    assert record(store, file_id).reason == reason
    assert zoho.routes[1].call_count == 0 and zoho.routes[2].call_count == 0
    assert list(temp_root.iterdir()) == []


def test_a_download_failure_fails_the_run(store, zoho, temp_root):
    file_id, key, value = queue(store)
    store.fail_on = "download"
    assert run(store, key, value) == ["failure"]
    assert record(store, file_id).reason == "RuntimeError: download broke"


def test_a_finished_import_only_cleans_up(store, zoho, temp_root):
    file_id, key, value = queue(store)
    store.jobs[key] = value
    store.fail_on = "delete_file"
    assert run(store, key, value) == ["failure"]
    assert record(store, file_id).state == "submitted"
    store.fail_on = None
    assert run(store, key, value) == ["success"]
    assert zoho.routes[1].call_count == 2  # nothing uploaded again
    assert key not in store.jobs and file_id not in store.files


def test_options_reach_the_job(store, zoho, temp_root):
    mappings = [{"api_name": "Last_Name", "index": 0}]
    file_id, key, value = queue(store, operation="update", find_by="id", field_mappings=mappings)
    assert run(store, key, value) == ["success"]
    body = json.loads(zoho.routes[2].calls[0].request.content)
    assert body["operation"] == "update"
    assert body["resource"][0]["find_by"] == "id"
    assert body["resource"][0]["field_mappings"] == mappings
    assert zoho.routes["fields"].call_count == 0  # a given mapping is sent as it is
    assert record(store, file_id).mapping is None


# -- header row matched to the module's fields -------------------------------------------------

WIDE = {**ENV, "BATCH_MAX_BYTES": "60"}  # one labelled row per batch
LABELLED = b"First Name,Last Name,Company,Lead Source\nAnn,Lee,Acme,Web\nBo,Kim,Beta,Ads\n"
LABELLED_MAPPINGS = [
    {"api_name": "First_Name", "index": 0}, {"api_name": "Last_Name", "index": 1},
    {"api_name": "Company", "index": 2}, {"api_name": "Lead_Source", "index": 3},
]


def job_bodies(zoho) -> list[dict]:
    return [json.loads(call.request.content) for call in zoho.routes[2].calls]


def test_display_name_headers_are_matched_once_per_import(store, zoho, temp_root, caplog):
    caplog.set_level("INFO")
    file_id, key, value = queue(store, LABELLED)
    assert run(store, key, value, WIDE) == ["success"]

    (call,) = zoho.routes["fields"].calls
    assert call.request.url.params["module"] == "Leads"
    assert call.request.headers["X-CRM-ORG"] == "42"
    assert call.request.headers["Authorization"] == "Zoho-oauthtoken 1000.t"
    bodies = job_bodies(zoho)
    assert len(bodies) == 2
    assert all(b["resource"][0]["field_mappings"] == LABELLED_MAPPINGS for b in bodies)
    done = record(store, file_id)
    assert (done.mapping, done.field_mappings) == ("matched", LABELLED_MAPPINGS)
    assert f"Import {file_id}: matched 4 columns to fields of Leads" in caplog.text


def test_api_name_headers_are_recorded_as_auto_mapped(store, zoho, temp_root):
    file_id, key, value = queue(store)
    assert run(store, key, value, WIDE) == ["success"]
    assert zoho.routes["fields"].call_count == 1
    assert all("field_mappings" not in b["resource"][0] for b in job_bodies(zoho))
    assert record(store, file_id).mapping == "auto"


@pytest.mark.parametrize(("content", "reason"), [
    (b"Last Name,Company,Shoe Size,Pet\nLee,Acme,9,cat\n",
     "columns Shoe Size, Pet match no field of module Leads"),
    (b"First Name,Email\nAnn,a@x.com\n", "mandatory fields Last_Name, Company of module Leads"
     " have no column (MANDATORY_FIELDS_NOT_MAPPED)"),
])
def test_a_header_that_cannot_be_imported_fails_before_any_upload(
        store, zoho, temp_root, content, reason):
    file_id, key, value = queue(store, content)
    store.jobs[key] = value
    assert run(store, key, value, WIDE) == ["failure"]
    failed = record(store, file_id)
    assert (failed.state, failed.reason, failed.mapping) == ("failed", reason, None)
    assert zoho.routes[1].call_count == 0 and zoho.routes[2].call_count == 0
    assert file_id in store.files  # kept until every batch is settled
    assert "Lee" not in failed.to_value()


def test_metadata_refused_fails_the_import_with_zohos_reason(store, zoho, temp_root):
    zoho.routes["fields"].mock(return_value=httpx.Response(400, json={
        "code": "INVALID_MODULE", "status": "error",
        "message": "the module name given seems to be invalid"}))
    file_id, key, value = queue(store, LABELLED, module="Leeds")
    assert run(store, key, value, WIDE) == ["failure"]
    assert record(store, file_id).reason == (
        "Reading fields of module Leeds in zoho crm request failed with statusCode 400"
        " (INVALID_MODULE: the module name given seems to be invalid)")
    assert zoho.routes["fields"].call_count == 1
    assert zoho.routes[1].call_count == 0


def test_metadata_server_errors_are_retried(store, zoho, temp_root):
    zoho.routes["fields"].mock(side_effect=[
        httpx.Response(503), httpx.Response(500),
        httpx.Response(200, json={"fields": LEADS_FIELDS}),
    ])
    file_id, key, value = queue(store, LABELLED)
    assert run(store, key, value, WIDE) == ["success"]
    assert zoho.routes["fields"].call_count == 3
    assert record(store, file_id).field_mappings == LABELLED_MAPPINGS


def second_job_fails_once(zoho) -> None:
    """Job 9001 is created, the next request answers 500, the one after creates job 9002."""
    zoho.routes[2].mock(side_effect=[
        httpx.Response(201, json={"status": "success", "details": {"id": "9001"}}),
        httpx.Response(500),
        httpx.Response(201, json={"status": "success", "details": {"id": "9002"}}),
    ])


def test_a_resumed_import_reuses_the_recorded_mapping(store, zoho, temp_root):
    file_id, key, value = queue(store, LABELLED)
    second_job_fails_once(zoho)
    assert run(store, key, value, WIDE) == ["failure"]
    zoho.routes["fields"].mock(return_value=httpx.Response(500))  # must not be needed
    assert run(store, key, value, WIDE) == ["success"]
    assert zoho.routes["fields"].call_count == 1
    bodies = job_bodies(zoho)
    assert [b["resource"][0]["field_mappings"] for b in bodies] == [LABELLED_MAPPINGS] * 3


def test_a_mapping_left_out_of_the_record_is_matched_again(store, zoho, temp_root):
    file_id, key, value = queue(store, LABELLED)
    second_job_fails_once(zoho)
    assert run(store, key, value, WIDE) == ["failure"]
    progress = f"CRM_BULK_JOB_PROGRESS_{file_id}"
    stored = json.loads(store.default[progress])
    del stored["f"]  # as when the list does not fit one Cache value
    store.default[progress] = json.dumps(stored)

    assert run(store, key, value, WIDE) == ["success"]
    assert zoho.routes["fields"].call_count == 2
    assert job_bodies(zoho)[-1]["resource"][0]["field_mappings"] == LABELLED_MAPPINGS
