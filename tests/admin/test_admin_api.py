"""The admin API against a real server: functions, logs, Cache, File Store, imports, reset."""

from __future__ import annotations

import json

import httpx
import pytest

from catalyst_local.admin.imports import read_record
from tests.admin.served import ENV, event_in_state, new_events, served_project, wait_for

MASK = "********"
TOKEN = "1000." + "ab" * 16 + "." + "cd" * 16


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served_project(tmp_path_factory.mktemp("admin")) as running:
        yield running


@pytest.fixture
def api(server):
    with httpx.Client(base_url=f"{server.url}/_catalyst_local", timeout=30) as http:
        yield http


def put(api, key: str, value: str, segment: str = "Sessions", **extra) -> httpx.Response:
    return api.put("/cache/key", json={"segment": segment, "key": key, "value": value, **extra})


def test_env_values_are_masked_by_name_except_urls(api):
    env = api.get("/functions/on_change").json()["env"]
    assert env == {"API_KEY": MASK, "DB_PASSWORD": MASK, "REFRESH_TOKEN_URL_HINT": MASK,
                   "TOKEN_URL": ENV["TOKEN_URL"], "GREETING": "hello there"}


def test_no_secret_value_appears_in_any_admin_answer(api, server):
    seen = {event["id"] for event in new_events(server, set())}
    put(api, "leaky", "leak")
    (event,) = new_events(server, seen)
    event_in_state(server, event["id"], "delivered")
    wait_for(lambda: any("the key is" in line["line"] for line in
                         api.get("/functions/on_change/logs").json()["lines"]), "the leak line")
    answers = [api.get(path).text for path in
               ("/status", "/functions", "/functions/on_change/logs",
                "/cache/keys?segment=Sessions", "/rules", "/imports")]
    for secret in (ENV["API_KEY"], ENV["DB_PASSWORD"]):
        assert not any(secret in text for text in answers)
    lines = [line["line"] for line in api.get("/functions/on_change/logs").json()["lines"]]
    assert f"the key is {MASK}" in lines


def test_token_shaped_values_are_masked(api):
    put(api, "token", f"bearer {TOKEN}")
    assert api.get("/cache/key", params={"segment": "Sessions", "key": "token"}).json()[
        "value"] == f"bearer {MASK}"


def test_logs_follow_by_line_number(api, server):
    first = api.get("/functions/on_change/logs").json()
    seen = {event["id"] for event in new_events(server, set())}
    put(api, "follow-me", "x")
    (event,) = new_events(server, seen)
    event_in_state(server, event["id"], "delivered")
    later = wait_for(lambda: api.get("/functions/on_change/logs",
                                     params={"since": first["last"]}).json()["lines"],
                     "new log lines")
    assert [line["line"] for line in later] == ["Cache Put follow-me"]
    assert later[0]["no"] == first["last"] + 1
    again = api.get("/functions/on_change/logs", params={"since": later[0]["no"]}).json()
    assert again == {"function": "on_change", "last": later[0]["no"], "lines": []}


def test_logs_refuse_a_bad_since(api):
    answer = api.get("/functions/on_change/logs", params={"since": "-3"})
    assert (answer.status_code, answer.json()) == (400, {
        "error": "since must be a whole number of lines"})


@pytest.mark.parametrize(("path", "params", "body"), [
    ("/functions/on_chnage", {}, {"error": "No function named 'on_chnage'; did you mean "
                                           "'on_change'?", "unknown": "function",
                                  "did_you_mean": "on_change"}),
    ("/cache/keys", {"segment": "Sesions"}, {"error": "No segment named 'Sesions'; did you mean "
                                                      "'Sessions'?", "unknown": "segment",
                                             "did_you_mean": "Sessions"}),
    ("/filestore/files", {"folder": "Zebra"}, {"error": "No folder named 'Zebra'; the project "
                                                        "has Reports", "unknown": "folder",
                                               "did_you_mean": None}),
    ("/zoho/records", {"module": "Lead"}, {"error": "No module named 'Lead'; did you mean "
                                                    "'Leads'?", "unknown": "module",
                                           "did_you_mean": "Leads"}),
])
def test_unknown_names_get_a_suggestion(api, path, params, body):
    answer = api.get(path, params=params)
    assert (answer.status_code, answer.json()) == (404, body)


def test_a_cache_put_is_stored_and_fires_the_put_event(api, server):
    seen = {event["id"] for event in new_events(server, set())}
    answer = put(api, "session-1", "v1", expiry_hours=2)
    assert answer.status_code == 200
    assert answer.json()["expiry_hours"] == 2
    (event,) = new_events(server, seen)
    assert (event["rule"], event["source"], event["action"]) == ("SessionPut", "Cache", "Put")
    keys = {item["key"]: item for item in
            api.get("/cache/keys", params={"segment": "Sessions"}).json()["keys"]}
    assert keys["session-1"]["value"] == "v1"
    assert 7_000_000 < keys["session-1"]["ttl_ms"] <= 7_200_000


def test_cache_errors_keep_the_stores_message(api):
    answer = put(api, "k" * 51, "v")
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("cache_name")


def test_a_missing_key_is_404(api):
    answer = api.get("/cache/key", params={"key": "nope"})
    assert (answer.status_code, answer.json()) == (404, {"error": "No key 'nope' in segment "
                                                                  "Default"})


def test_file_upload_download_and_delete(api, server):
    seen = {event["id"] for event in new_events(server, set())}
    stored = api.post("/filestore/file", params={"folder": "Reports", "name": "a b.txt"},
                      content=b"hello\x00bytes")
    assert stored.status_code == 201
    assert stored.json()["size"] == 11
    (event,) = new_events(server, seen)
    assert (event["rule"], event["entity_name"]) == ("ReportUpload", "Reports")

    by_name = api.get("/filestore/file", params={"folder": "Reports", "file": "a b.txt"})
    by_id = api.get("/filestore/file", params={"folder": "Reports", "file": stored.json()["id"]})
    assert by_name.content == by_id.content == b"hello\x00bytes"
    assert by_name.headers["content-disposition"] == 'attachment; filename="a b.txt"'

    deleted = api.delete("/filestore/file", params={"folder": "Reports", "file": "a b.txt"})
    assert deleted.json()["id"] == stored.json()["id"]
    missing = api.get("/filestore/file", params={"folder": "Reports", "file": "a b.txt"})
    assert (missing.status_code, missing.json()) == (404, {
        "error": "No file 'a b.txt' in folder Reports"})


def test_imports_read_the_progress_records_of_the_default_segment(api):
    record = {"s": "submitted", "m": "Leads", "o": "insert", "g": "700", "n": 3,
              "b": [[2, 40, "z1", "4111", "j"], [1, 20, None, None, "p"]]}
    put(api, "CRM_BULK_JOB_PROGRESS_123", json.dumps(record), segment="Default")
    put(api, "CRM_BULK_JOB_PROGRESS_456", "not json", segment="Default")
    put(api, "OTHER_KEY", json.dumps(record), segment="Default")
    found = {item["import_id"]: item for item in api.get("/imports").json()["imports"]}
    assert set(found) == {"123", "456"}
    assert found["123"]["batches"] == [
        {"index": 1, "rows": 2, "bytes": 40, "zoho_file_id": "z1", "job_id": "4111",
         "state": "submitted", "job_state": None},
        {"index": 2, "rows": 1, "bytes": 20, "zoho_file_id": None, "job_id": None,
         "state": "pending", "job_state": None}]
    assert found["456"]["state"] == "unreadable"


def test_a_batch_shows_its_jobs_sandbox_state():
    value = json.dumps({"s": "submitted", "m": "Leads", "o": "insert", "g": "7", "n": 2,
                        "b": [[2, 40, "z1", "4111", "j"]], "r": "why"})
    record = read_record("9", value, {"4111": {"id": "4111", "status": "COMPLETED"}})
    assert record["batches"][0]["job_state"] == "COMPLETED"
    assert record["reason"] == "why"


def test_zoho_records_of_an_empty_module(api):
    assert api.get("/zoho/records", params={"module": "Contacts", "limit": 5}).json() == {
        "module": "Contacts", "total": 0, "records": []}


@pytest.mark.parametrize("limit", ["0", "x", "-1"])
def test_zoho_records_refuse_a_bad_limit(api, limit):
    answer = api.get("/zoho/records", params={"module": "Leads", "limit": limit})
    assert (answer.status_code, answer.json()) == (400, {
        "error": "limit must be a positive whole number"})


# Last: it wipes the server's data.
def test_reset_wipes_data_and_keeps_what_is_provisioned(api, server):
    put(api, "to-wipe", "v")
    api.post("/filestore/file", params={"folder": "Reports", "name": "wipe.txt"}, content=b"x")
    wait_for(lambda: all(e["state"] in ("delivered", "failed") for e in new_events(server, set())),
             "deliveries to settle")
    before = api.get("/status").json()
    removed = api.post("/reset").json()["removed"]
    assert removed["keys"] == sum(s["keys"] for s in before["segments"])
    assert removed["files"] == 1
    assert removed["events"] == sum(before["events"].values())
    after = api.get("/status").json()
    assert [s["id"] for s in after["segments"]] == [s["id"] for s in before["segments"]]
    assert [f["id"] for f in after["folders"]] == [f["id"] for f in before["folders"]]
    assert (after["events"], [s["keys"] for s in after["segments"]],
            [f["files"] for f in after["folders"]]) == (
        {"pending": 0, "delivering": 0, "delivered": 0, "failed": 0}, [0, 0], [0])
