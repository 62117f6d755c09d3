"""Zoho Accounts: grants, HTTP-200 errors, throttle, expiry shapes, eviction, data centers."""

from __future__ import annotations

import re

from catalyst_local.zoho.accounts.errors import THROTTLE_DESCRIPTION

TOKEN = re.compile(r"^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$")


def test_refresh_answers_a_bearer_token_for_the_dc_api_domain(zoho):
    answer = zoho.refresh()
    assert answer.status_code == 200
    body = answer.json()
    assert TOKEN.match(body.pop("access_token"))
    assert body == {"api_domain": f"{zoho.base}/zoho/com/api", "token_type": "Bearer",
                    "expires_in": 3600}


def test_refresh_params_in_the_query_string_are_accepted(zoho):
    client = zoho.sandbox.client()
    params = {"grant_type": "refresh_token", "refresh_token": zoho.sandbox.refresh_token(),
              **client}
    answer = zoho.http.post(zoho.url("/accounts/oauth/v2/token"), params=params)
    assert "access_token" in answer.json()


def test_client_unknown_at_that_dc_is_invalid_client_with_http_200(zoho):
    client = zoho.sandbox.client("com")
    answer = zoho.token_call("eu", grant_type="refresh_token",
                             refresh_token=zoho.sandbox.refresh_token("com"), **client)
    assert (answer.status_code, answer.json()) == (200, {"error": "invalid_client"})


def test_wrong_secret_is_invalid_client(zoho):
    client = {**zoho.sandbox.client(), "client_secret": "nope"}
    answer = zoho.token_call(grant_type="refresh_token",
                             refresh_token=zoho.sandbox.refresh_token(), **client)
    assert (answer.status_code, answer.json()) == (200, {"error": "invalid_client"})


def test_unknown_empty_and_revoked_refresh_tokens_are_invalid_code(zoho):
    client = zoho.sandbox.client()
    for token in ("1000.unknown.token", ""):
        answer = zoho.token_call(grant_type="refresh_token", refresh_token=token, **client)
        assert (answer.status_code, answer.json()) == (200, {"error": "invalid_code"})

    token = zoho.sandbox.refresh_token()
    access = zoho.access_token()
    revoked = zoho.http.post(zoho.url("/accounts/oauth/v2/token/revoke"),
                             params={"token": token})
    assert revoked.json() == {"status": "success"}
    answer = zoho.token_call(grant_type="refresh_token", refresh_token=token, **client)
    assert (answer.status_code, answer.json()) == (200, {"error": "invalid_code"})
    # The access tokens made from it go too.
    assert zoho.http.get(zoho.url("/api/crm/v8/org"), headers=zoho.auth(access)).status_code == 401


def test_the_eleventh_refresh_in_ten_minutes_is_access_denied(zoho):
    for _ in range(10):
        assert "access_token" in zoho.refresh().json()
    answer = zoho.refresh()
    assert (answer.status_code, answer.json()) == (200, {
        "error": "Access Denied", "error_description": THROTTLE_DESCRIPTION,
        "status": "failure"})
    zoho.clock.advance(599)
    assert zoho.refresh().json()["error"] == "Access Denied"
    # The window slides: ten minutes after the first refresh, one more is allowed.
    zoho.clock.advance(2)
    assert "access_token" in zoho.refresh().json()


def test_legacy_expiry_shape(zoho):
    zoho.admin("POST", "/settings", json={"legacy_expiry": True}).raise_for_status()
    body = zoho.refresh().json()
    assert (body["expires_in_sec"], body["expires_in"]) == (3600, 3600000)


def test_access_token_expires_after_an_hour(zoho):
    token = zoho.access_token()
    org = zoho.url("/api/crm/v8/org")
    assert zoho.http.get(org, headers=zoho.auth(token)).status_code == 200
    zoho.clock.advance(3601)
    answer = zoho.http.get(org, headers=zoho.auth(token))
    assert (answer.status_code, answer.json()) == (401, {
        "code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token",
        "status": "error"})


def test_the_sixteenth_active_token_evicts_the_oldest(zoho):
    tokens = [zoho.access_token() for _ in range(10)]
    zoho.clock.advance(601)
    tokens += [zoho.access_token() for _ in range(6)]
    org = zoho.url("/api/crm/v8/org")
    statuses = [zoho.http.get(org, headers=zoho.auth(t)).status_code for t in tokens]
    assert statuses == [401] + [200] * 15


def test_token_from_another_dc_is_invalid_token(zoho):
    eu_token = zoho.access_token("eu")
    answer = zoho.http.get(zoho.url("/api/crm/v8/org", "com"), headers=zoho.auth(eu_token))
    assert answer.status_code == 401
    assert answer.json()["code"] == "INVALID_TOKEN"
    eu_org = zoho.http.get(zoho.url("/api/crm/v8/org", "eu"), headers=zoho.auth(eu_token))
    assert eu_org.json()["org"][0]["zgid"] != zoho.sandbox.org_id


def test_authentication_failure_variant_and_missing_header(zoho):
    org = zoho.url("/api/crm/v8/org")
    assert zoho.http.get(org).json()["code"] == "INVALID_TOKEN"
    assert zoho.http.get(org, headers={"Authorization": "Bearer x"}).status_code == 401
    zoho.admin("POST", "/settings", json={"authentication_failure": True}).raise_for_status()
    answer = zoho.http.get(org, headers=zoho.auth("1000.stale.token"))
    assert (answer.status_code, answer.json()) == (401, {
        "code": "AUTHENTICATION_FAILURE", "details": {}, "message": "Authentication failed",
        "status": "error"})


def test_offline_code_exchange_gives_a_refresh_token_and_the_code_is_single_use(zoho):
    code = zoho.sandbox.mint_grant_code(redirect_uri="http://127.0.0.1/cb")
    params = {"grant_type": "authorization_code", "code": code,
              "redirect_uri": "http://127.0.0.1/cb", **zoho.sandbox.client()}
    body = zoho.token_call(**params).json()
    assert TOKEN.match(body["refresh_token"]) and TOKEN.match(body["access_token"])
    assert body["expires_in"] == 3600
    again = zoho.token_call(**params)
    assert (again.status_code, again.json()) == (200, {"error": "invalid_code"})
    # The new refresh token works.
    refreshed = zoho.token_call(grant_type="refresh_token", refresh_token=body["refresh_token"],
                                **zoho.sandbox.client())
    assert "access_token" in refreshed.json()


def test_online_code_exchange_has_no_refresh_token(zoho):
    code = zoho.sandbox.mint_grant_code(access_type="online")
    body = zoho.token_call(grant_type="authorization_code", code=code,
                           **zoho.sandbox.client()).json()
    assert "refresh_token" not in body and "access_token" in body


def test_expired_code_is_invalid_code(zoho):
    code = zoho.sandbox.mint_grant_code()
    zoho.clock.advance(181)
    answer = zoho.token_call(grant_type="authorization_code", code=code,
                             **zoho.sandbox.client())
    assert answer.json() == {"error": "invalid_code"}


def test_the_twenty_first_refresh_token_evicts_the_oldest(zoho):
    first = zoho.sandbox.refresh_token()
    client = zoho.sandbox.client()
    for _ in range(20):
        code = zoho.sandbox.mint_grant_code()
        zoho.token_call(grant_type="authorization_code", code=code, **client)
    answer = zoho.token_call(grant_type="refresh_token", refresh_token=first, **client)
    assert answer.json() == {"error": "invalid_code"}


def test_credentials_and_org_survive_a_restart(zoho, tmp_path):
    from catalyst_local.zoho.sandbox import ZohoSandbox

    from .conftest import make_runtime

    again = ZohoSandbox(make_runtime(tmp_path))
    again.provision()
    try:
        assert again.org_id == zoho.sandbox.org_id
        assert again.function_env("x")["REFRESH_TOKEN"] == zoho.sandbox.refresh_token()
    finally:
        again.close()
