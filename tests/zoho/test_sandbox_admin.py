"""Faults, settings, reset, the records endpoint and the Python API."""

from __future__ import annotations

import pytest

LEADS = "Last_Name,Company\nDoe,Acme\nRoe,Initech\nPoe,Globex\n"


def test_a_fault_answers_n_calls_then_normal_and_has_no_side_effects(zoho):
    armed = zoho.admin("POST", "/faults", json={"endpoint": "upload", "status": 429,
                                                "count": 2, "retry_after": 7})
    assert armed.status_code == 201
    from .conftest import csv_zip

    for _ in range(2):
        answer = zoho.upload(csv_zip(LEADS))
        assert (answer.status_code, answer.headers["retry-after"]) == (429, "7")
        assert answer.json() == {"code": "TOO_MANY_REQUESTS", "details": {},
                                 "message": "too many requests", "status": "error"}
    assert list(zoho.sandbox.files_dir.iterdir()) == []
    assert zoho.upload(csv_zip(LEADS)).status_code == 200


def test_a_create_job_fault_creates_no_job_and_leaves_the_file_unused(zoho):
    file_id = zoho.file_id(LEADS)
    zoho.admin("POST", "/faults", json={"endpoint": "create_job", "status": 500})
    body = {"operation": "insert", "resource": [{"type": "data", "module": {"api_name": "Leads"},
                                                 "file_id": file_id}]}
    assert zoho.create_job(body).json()["code"] == "INTERNAL_ERROR"
    assert zoho.sandbox.jobs() == []
    assert zoho.create_job(body).status_code == 201


def test_a_token_fault_does_not_use_up_the_refresh_budget(zoho):
    zoho.admin("POST", "/faults", json={"endpoint": "token", "status": 503, "count": 20})
    for _ in range(20):
        assert zoho.refresh().status_code == 503
    assert "access_token" in zoho.refresh().json()


def test_a_timeout_fault_holds_the_call_then_answers_504(zoho):
    zoho.admin("POST", "/settings", json={"fault_hang_seconds": 0.3}).raise_for_status()
    zoho.admin("POST", "/faults", json={"endpoint": "org", "timeout": True})
    assert zoho.http.get(zoho.url("/api/crm/v8/org"), headers=zoho.auth()).status_code == 504


def test_clearing_faults(zoho):
    zoho.admin("POST", "/faults", json={"endpoint": "records", "status": 500, "count": 5})
    assert zoho.admin("GET", "").json()["faults"]["records"][0]["count"] == 5
    zoho.admin("DELETE", "/faults").raise_for_status()
    answer = zoho.http.get(zoho.url("/api/crm/v8/Leads"), headers=zoho.auth())
    assert answer.status_code == 204


@pytest.mark.parametrize("spec, message", [
    ({"endpoint": "nope", "status": 500},
     "'endpoint' must be one of token, upload, create_job, job_details, download, org, fields, "
     "records"),
    ({"endpoint": "org", "status": 200}, "'status' must be an HTTP error status between 400 "
                                         "and 599"),
    ({"endpoint": "org", "status": 500, "count": 0}, "'count' must be a positive integer"),
])
def test_bad_fault_requests_are_refused(zoho, spec, message):
    answer = zoho.admin("POST", "/faults", json=spec)
    assert (answer.status_code, answer.json()["message"]) == (400, message)


def test_settings_refuse_unknown_names_and_wrong_types(zoho):
    assert zoho.admin("POST", "/settings", json={"nope": 1}).json()["message"] == (
        "'nope' is not a sandbox setting")
    assert zoho.admin("POST", "/settings", json={"legacy_expiry": "yes"}).json()["message"] == (
        "'legacy_expiry' must be of type bool")
    assert zoho.admin("POST", "/settings", json={"bom": "drop"}).status_code == 400


def test_records_endpoint_pages(zoho):
    zoho.run("Leads", LEADS)
    url = zoho.url("/api/crm/v8/Leads")
    first = zoho.http.get(url, params={"per_page": 2}, headers=zoho.auth()).json()
    assert [r["Last_Name"] for r in first["data"]] == ["Doe", "Roe"]
    assert first["info"] == {"per_page": 2, "count": 2, "page": 1, "more_records": True}
    second = zoho.http.get(url, params={"per_page": 2, "page": 2}, headers=zoho.auth()).json()
    assert second["info"] == {"per_page": 2, "count": 1, "page": 2, "more_records": False}
    assert second["data"][0]["Owner"]["id"] == zoho.sandbox.org(zoho.sandbox.org_id).user_id
    bad = zoho.http.get(zoho.url("/api/crm/v8/Widgets"), headers=zoho.auth())
    assert (bad.status_code, bad.json()["code"]) == (400, "INVALID_MODULE")


def test_org_and_fields_endpoints(zoho):
    org = zoho.http.get(zoho.url("/api/crm/v8/org"), headers=zoho.auth()).json()["org"][0]
    assert org["zgid"] == zoho.sandbox.org_id
    fields = zoho.http.get(zoho.url("/api/crm/v2.1/settings/fields"),
                           params={"module": "Deals"}, headers=zoho.auth()).json()["fields"]
    account = next(f for f in fields if f["api_name"] == "Account_Name")
    assert account["system_mandatory"] is True
    assert account["lookup"]["module"]["api_name"] == "Accounts"
    missing = zoho.http.get(zoho.url("/api/crm/v8/settings/fields"), headers=zoho.auth())
    assert missing.json()["code"] == "REQUIRED_PARAM_MISSING"


def test_overview_shows_no_secrets_and_reset_keeps_the_wiring(zoho):
    zoho.run("Leads", LEADS)
    overview = zoho.admin("GET", "")
    env = zoho.sandbox.function_env("crm_bulk_job_initiator")
    assert env["CLIENT_SECRET"] not in overview.text
    assert env["REFRESH_TOKEN"] not in overview.text
    org = next(o for o in overview.json()["orgs"] if o["dc"] == "com")
    assert org["modules"]["Leads"] == 3
    assert zoho.admin("POST", "/reset").status_code == 200
    assert zoho.sandbox.records("Leads") == [] and zoho.sandbox.jobs() == []
    assert zoho.sandbox.function_env("crm_bulk_job_initiator") == env
    assert "access_token" in zoho.refresh().json()


def test_function_env_points_at_the_sandbox(zoho):
    env = zoho.sandbox.function_env("crm_bulk_job_service")
    assert env["REFRESH_TOKEN_URL"] == f"{zoho.base}/zoho/com/accounts/oauth/v2/token"
    assert env["ZOHO_API_DOMAIN"] == f"{zoho.base}/zoho/com/api"
    assert env["ZOHO_UPLOAD_URL"] == f"{zoho.base}/zoho/com/upload/crm/v8/upload"
    answer = zoho.http.post(env["REFRESH_TOKEN_URL"], data={
        "grant_type": "refresh_token", "client_id": env["CLIENT_ID"],
        "client_secret": env["CLIENT_SECRET"], "refresh_token": env["REFRESH_TOKEN"]})
    assert answer.json()["api_domain"] == env["ZOHO_API_DOMAIN"]
