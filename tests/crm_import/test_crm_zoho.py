import json

import httpx
import pytest
import respx
from crm_import.config import Config
from crm_import.errors import OutcomeUnknown, ZohoError
from crm_import.job_spec import JobSpec
from crm_import.zoho_auth import DATA_CENTERS, api_base, upload_url
from crm_import.zoho_bulk import ZohoCrm
from crm_import.zoho_http import ZohoHttp

TOKEN_URL = "https://accounts.zoho.eu/oauth/v2/token"
API = "https://www.zohoapis.eu"
UPLOAD = "https://content.zohoapis.eu/crm/v8/upload"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class MemoryShare:
    def __init__(self) -> None:
        self.value = None

    def load(self):
        return self.value

    def save(self, value):
        self.value = value


def config(**extra) -> Config:
    return Config("cid", "secret", "refresh", TOKEN_URL, **extra)


def crm(clock=None, share=None, sleeps=None, **extra) -> ZohoCrm:
    sleeps = [] if sleeps is None else sleeps
    http = ZohoHttp(httpx.Client(), sleep=sleeps.append, max_attempts=4)
    return ZohoCrm(config(**extra), share, http, clock=clock or Clock())


def token(access="1000.a", expires_in=3600, **extra):
    return httpx.Response(200, json={"access_token": access, "expires_in": expires_in, **extra})


def job_ok(job_id="55"):
    return httpx.Response(201, json={"status": "success", "details": {"id": job_id}})


@pytest.mark.parametrize("accounts", sorted(DATA_CENTERS))
def test_every_data_center_derives_its_hosts(accounts):
    dc = DATA_CENTERS[accounts]
    cfg = Config("c", "s", "r", f"https://{accounts}/oauth/v2/token")
    assert api_base(cfg, None) == dc.api_domain
    assert upload_url(cfg) == f"{dc.upload_host}/crm/v8/upload"


def test_overrides_win_over_the_data_center():
    cfg = config(api_domain="http://127.0.0.1:9/api", upload_url="http://127.0.0.1:9/up")
    assert api_base(cfg, "https://www.zohoapis.com") == "http://127.0.0.1:9/api"
    assert upload_url(cfg) == "http://127.0.0.1:9/up"


@respx.mock
@pytest.mark.parametrize("body", [
    {"error": "invalid_client"},
    {"error": "invalid_code"},
    {"error": "Access Denied", "error_description": "too many", "status": "failure"},
    {},
])
def test_a_200_answer_without_access_token_is_a_failure(body):
    respx.post(TOKEN_URL).mock(return_value=httpx.Response(200, json=body))
    client = crm()
    with pytest.raises(ZohoError) as caught:
        client.http.tokens.token()
    assert caught.value.status == 200
    assert caught.value.code == (body.get("error") or "NO_ACCESS_TOKEN")


@respx.mock
def test_access_denied_backs_off_without_calling_zoho_again():
    route = respx.post(TOKEN_URL).mock(
        return_value=httpx.Response(200, json={"error": "Access Denied"})
    )
    clock = Clock()
    client = crm(clock)
    for _ in range(3):
        with pytest.raises(ZohoError, match="Access Denied"):
            client.http.tokens.token()
    assert route.call_count == 1
    clock.now += 601
    route.mock(return_value=token())
    assert client.http.tokens.token().access_token == "1000.a"


@respx.mock
def test_refresh_sends_the_form_and_reads_seconds():
    route = respx.post(TOKEN_URL).mock(return_value=token(expires_in=3600))
    clock = Clock()
    got = crm(clock).http.tokens.token()
    assert got.expires_at == clock.now + 3600
    sent = dict(httpx.QueryParams(route.calls[0].request.content.decode()))
    assert sent == {
        "grant_type": "refresh_token", "client_id": "cid", "client_secret": "secret",
        "refresh_token": "refresh",
    }


@respx.mock
def test_legacy_expiry_is_read_in_milliseconds():
    respx.post(TOKEN_URL).mock(return_value=token(expires_in=3600000, expires_in_sec=3600))
    clock = Clock()
    assert crm(clock).http.tokens.token().expires_at == clock.now + 3600


@respx.mock
def test_token_is_reused_then_refreshed_within_five_minutes_of_expiry():
    route = respx.post(TOKEN_URL).mock(side_effect=[token("1000.a"), token("1000.b")])
    clock = Clock()
    tokens = crm(clock).http.tokens
    assert tokens.token().access_token == "1000.a"
    clock.now += 3600 - 301
    assert tokens.token().access_token == "1000.a"
    clock.now += 2
    assert tokens.token().access_token == "1000.b"
    assert route.call_count == 2


@respx.mock
def test_token_is_shared_through_the_share_and_ignored_near_expiry():
    respx.post(TOKEN_URL).mock(side_effect=[token("1000.a"), token("1000.b")])
    clock, share = Clock(), MemoryShare()
    crm(clock, share).http.tokens.token()
    assert json.loads(share.value) == {
        "access_token": "1000.a", "api_domain": None, "expires_at": clock.now + 3600,
    }

    from crm_import import zoho_auth
    zoho_auth.reset_process_state()  # another instance
    assert crm(clock, share).http.tokens.token().access_token == "1000.a"
    zoho_auth.reset_process_state()
    clock.now += 3600 - 299
    assert crm(clock, share).http.tokens.token().access_token == "1000.b"


@respx.mock
@pytest.mark.parametrize("code", ["INVALID_TOKEN", "AUTHENTICATION_FAILURE"])
def test_401_refreshes_once_and_retries_once(code):
    respx.post(TOKEN_URL).mock(side_effect=[token("1000.a"), token("1000.b")])
    denied = httpx.Response(401, json={"code": code, "status": "error", "message": "x"})
    jobs = respx.post(f"{API}/crm/bulk/v8/write").mock(side_effect=[denied, job_ok()])
    assert crm().create_job("42", JobSpec("42", "9", "Leads"), "77") == "55"
    assert [c.request.headers["Authorization"] for c in jobs.calls] == [
        "Zoho-oauthtoken 1000.a", "Zoho-oauthtoken 1000.b",
    ]


@respx.mock
def test_a_second_401_is_not_retried_again():
    respx.post(TOKEN_URL).mock(side_effect=[token("1000.a"), token("1000.b")])
    denied = httpx.Response(401, json={"code": "INVALID_TOKEN", "message": "invalid oauth token"})
    jobs = respx.post(f"{API}/crm/bulk/v8/write").mock(return_value=denied)
    with pytest.raises(ZohoError) as caught:
        crm().create_job("42", JobSpec("42", "9", "Leads"), "77")
    assert str(caught.value) == (
        "Creating job in zoho crm request failed with statusCode 401"
        " (INVALID_TOKEN: invalid oauth token)"
    )
    assert jobs.call_count == 2


@respx.mock
def test_scope_mismatch_is_never_retried():
    tokens = respx.post(TOKEN_URL).mock(return_value=token())
    mismatch = httpx.Response(401, json={"code": "OAUTH_SCOPE_MISMATCH", "message": "scope"})
    jobs = respx.post(f"{API}/crm/bulk/v8/write").mock(return_value=mismatch)
    with pytest.raises(ZohoError) as caught:
        crm().create_job("42", JobSpec("42", "9", "Leads"), "77")
    assert caught.value.code == "OAUTH_SCOPE_MISMATCH"
    assert (jobs.call_count, tokens.call_count) == (1, 1)


@respx.mock
def test_429_honours_retry_after():
    respx.post(TOKEN_URL).mock(return_value=token())
    busy = httpx.Response(429, headers={"Retry-After": "7"}, json={"code": "TOO_MANY_REQUESTS"})
    jobs = respx.post(f"{API}/crm/bulk/v8/write").mock(side_effect=[busy, job_ok()])
    sleeps = []
    assert crm(sleeps=sleeps).create_job("42", JobSpec("42", "9", "Leads"), "77") == "55"
    assert sleeps == [7.0]
    assert jobs.call_count == 2


@respx.mock
def test_5xx_backs_off_exponentially_for_uploads(tmp_path):
    respx.post(TOKEN_URL).mock(return_value=token())
    failing = httpx.Response(503)
    done = httpx.Response(200, json={"status": "success", "details": {"file_id": "4876"}})
    uploads = respx.post(UPLOAD).mock(side_effect=[failing, failing, failing, done])
    archive = tmp_path / "leads_1.zip"
    archive.write_bytes(b"PK zip")
    sleeps = []
    assert crm(sleeps=sleeps).upload_zip("42", archive) == "4876"
    assert sleeps == [1.0, 2.0, 4.0]
    request = uploads.calls[-1].request
    assert request.headers["X-CRM-ORG"] == "42"
    assert request.headers["feature"] == "bulk-write"
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="leads_1.zip"' in request.content
    assert b"PK zip" in request.content


@respx.mock
def test_an_upload_refused_in_headers_says_why(tmp_path):
    respx.post(TOKEN_URL).mock(return_value=token())
    respx.post(UPLOAD).mock(return_value=httpx.Response(
        400, headers={"x-error": "check the feature and X-CRM-ORG headers"}))
    archive = tmp_path / "leads_1.zip"
    archive.write_bytes(b"PK zip")
    with pytest.raises(ZohoError) as raised:
        crm().upload_zip("42", archive)
    assert str(raised.value) == ("Uploading file in zoho crm request failed with statusCode 400 "
                                 "(check the feature and X-CRM-ORG headers)")


@respx.mock
def test_5xx_on_job_creation_is_not_retried():
    respx.post(TOKEN_URL).mock(return_value=token())
    jobs = respx.post(f"{API}/crm/bulk/v8/write").mock(return_value=httpx.Response(500))
    with pytest.raises(ZohoError, match="statusCode 500"):
        crm().create_job("42", JobSpec("42", "9", "Leads"), "77")
    assert jobs.call_count == 1


@respx.mock
def test_a_lost_answer_to_job_creation_is_outcome_unknown():
    respx.post(TOKEN_URL).mock(return_value=token())
    jobs = respx.post(f"{API}/crm/bulk/v8/write").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(OutcomeUnknown):
        crm().create_job("42", JobSpec("42", "9", "Leads"), "77")
    assert jobs.call_count == 1


@respx.mock
def test_a_refused_connection_is_retried_for_job_creation():
    respx.post(TOKEN_URL).mock(return_value=token())
    jobs = respx.post(f"{API}/crm/bulk/v8/write").mock(
        side_effect=[httpx.ConnectError("refused"), job_ok("66")]
    )
    assert crm().create_job("42", JobSpec("42", "9", "Leads"), "77") == "66"
    assert jobs.call_count == 2


@respx.mock
def test_job_body_and_200_accepted():
    respx.post(TOKEN_URL).mock(return_value=token())
    jobs = respx.post(f"{API}/crm/bulk/v8/write").mock(
        return_value=httpx.Response(200, json={"status": "success", "details": {"id": "8"}})
    )
    spec = JobSpec("42", "9", "Contacts", "upsert", "Email", [{"api_name": "Email", "index": 0}])
    assert crm().create_job("42", spec, "77") == "8"
    assert json.loads(jobs.calls[0].request.content) == {
        "operation": "upsert",
        "character_encoding": "UTF-8",
        "resource": [{
            "type": "data", "module": {"api_name": "Contacts"}, "file_id": "77",
            "find_by": "Email", "field_mappings": [{"api_name": "Email", "index": 0}],
        }],
    }


@respx.mock
def test_api_domain_comes_from_the_token_and_survives_a_refresh_without_it():
    respx.post(TOKEN_URL).mock(side_effect=[
        token("1000.a", api_domain="https://www.zohoapis.in"), token("1000.b"),
    ])
    denied = httpx.Response(401, json={"code": "INVALID_TOKEN"})
    india = respx.get("https://www.zohoapis.in/crm/bulk/v8/write/5").mock(
        side_effect=[denied, httpx.Response(200, json={"id": "5"})]
    )
    client = crm()
    assert client.job_details("5").json() == {"id": "5"}
    assert india.call_count == 2
    assert client.http.tokens.api_domain == "https://www.zohoapis.in"
