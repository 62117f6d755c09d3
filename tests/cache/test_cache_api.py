"""The Cache API driven by the official SDK against a real server."""

from __future__ import annotations

import re

import httpx
import pytest

from catalyst_local.settings import Settings

CATALYST_TIME = re.compile(r"^[A-Z][a-z]{2} \d{2}, \d{4} \d{2}:\d{2} [AP]M$")


def segment_ids(components) -> dict[str, str]:
    return {s.name: s.id for s in components.runtime.cache.segments()}


def api_error(components):
    return pytest.raises(components.sdk.exceptions.CatalystAPIError)


def test_get_all_segment_lists_default_first_with_string_ids(components):
    segments = components.app().cache().get_all_segment()

    listed = [segment.to_dict() for segment in segments]
    assert [s["segment_name"] for s in listed] == ["Default", "CrmFiles", "Sessions"]
    assert all(isinstance(s["id"], str) and s["id"].isdigit() for s in listed)
    assert {s["segment_name"]: s["id"] for s in listed} == segment_ids(components)


def test_get_segment_details_adds_project_details(components):
    segment_id = segment_ids(components)["CrmFiles"]

    details = components.app().cache().get_segment_details(segment_id)

    assert details == {"id": segment_id, "segment_name": "CrmFiles",
                       "project_details": {"id": components.runtime.credentials.project_id,
                                           "project_name": "LocalProject",
                                           "project_type": "Live"}}


def test_unknown_segment_is_invalid_id(components):
    with api_error(components) as raised:
        components.app().cache().get_segment_details("12345")

    assert (raised.value.code, raised.value.status_code) == ("INVALID_ID", 404)
    assert raised.value.message == "Invalid Segment ID 12345"


def test_put_answers_the_item_and_fires_put(components):
    segment_id = segment_ids(components)["CrmFiles"]

    item = components.app().cache().segment(segment_id).put("job-1", '{"orgId": "1"}')

    assert item["cache_name"] == "job-1"
    assert item["cache_value"] == '{"orgId": "1"}'
    assert item["expiry_in_hours"] == "48"
    assert item["ttl_in_milliseconds"] == "172800000"
    assert CATALYST_TIME.match(item["expires_in"])
    assert item["segment_details"] == {"id": segment_id, "segment_name": "CrmFiles"}
    assert item["project_details"]["id"] == components.runtime.credentials.project_id
    assert components.events == [{"source": "Cache", "action": "Put", "entity_id": segment_id,
                                  "entity_name": "CrmFiles", "data": item}]


def test_default_segment_is_plain_cache_path(components):
    segment = components.app().cache().segment()

    item = segment.put("token", "abc", 2)

    assert item["segment_details"] == {"id": segment_ids(components)["Default"],
                                       "segment_name": "Default"}
    assert (item["expiry_in_hours"], item["ttl_in_milliseconds"]) == ("2", "7200000")
    assert segment.get_value("token") == "abc"
    assert components.events[0]["entity_name"] == "Default"


def test_get_and_get_value_read_what_was_put(components):
    segment = components.app().cache().segment(segment_ids(components)["Sessions"])
    segment.put("user", "ada", 5)

    item = segment.get("user")

    assert (item["cache_name"], item["cache_value"], item["expiry_in_hours"]) == \
        ("user", "ada", "5")
    assert 0 < int(item["ttl_in_milliseconds"]) <= 5 * 3600 * 1000
    assert segment.get_value("user") == "ada"


def test_update_rewrites_resets_expiry_and_fires_nothing(components):
    segment = components.app().cache().segment(segment_ids(components)["CrmFiles"])
    segment.put("k", "one", 3)
    components.events.clear()

    updated = segment.update("k", "two")

    assert (updated["cache_value"], updated["expiry_in_hours"]) == ("two", "48")
    assert updated["ttl_in_milliseconds"] == "172800000"
    assert segment.update("k", "three", 7)["expiry_in_hours"] == "7"
    assert segment.get_value("k") == "three"
    assert components.events == []


@pytest.mark.parametrize("settings", [Settings(cache_update_fires_put=True)])
def test_update_fires_put_when_the_setting_says_so(components):
    segment_id = segment_ids(components)["CrmFiles"]

    item = components.app().cache().segment(segment_id).update("k", "v")

    assert components.events == [{"source": "Cache", "action": "Put", "entity_id": segment_id,
                                  "entity_name": "CrmFiles", "data": item}]


def test_delete_returns_true_then_the_key_reads_null(components):
    segment = components.app().cache().segment(segment_ids(components)["CrmFiles"])
    segment.put("k", "v")
    components.events.clear()

    assert segment.delete("k") is True

    item = segment.get("k")
    assert item["cache_name"] == "k"
    assert item["cache_value"] is None
    assert segment.get_value("k") is None
    assert components.events == []


def test_never_set_key_reads_null(components):
    assert components.app().cache().segment().get_value("nothing-here") is None


@pytest.mark.parametrize("settings", [Settings(cache_missing_key_reads_null=False)])
def test_missing_key_is_invalid_id_when_the_setting_is_off(components):
    segment = components.app().cache().segment(segment_ids(components)["Sessions"])
    segment.put("k", "v")
    segment.delete("k")

    with api_error(components) as raised:
        segment.get("k")

    assert (raised.value.code, raised.value.status_code) == ("INVALID_ID", 404)
    assert raised.value.message == "No cache key k in segment Sessions"


@pytest.mark.parametrize("length", [1, 50])
def test_key_up_to_50_characters_is_accepted(components, length):
    segment = components.app().cache().segment()
    key = "k" * length

    assert segment.put(key, "v")["cache_name"] == key
    assert segment.get_value(key) == "v"


def test_key_of_51_characters_is_refused_on_write_and_read(components):
    segment = components.app().cache().segment()

    with api_error(components) as put:
        segment.put("k" * 51, "v")
    with api_error(components) as get:
        segment.get("k" * 51)

    assert (put.value.code, put.value.status_code) == ("INVALID_INPUT", 400)
    assert put.value.message == "cache_name must be at most 50 characters; it has 51"
    assert get.value.message == "cacheKey must be at most 50 characters; it has 51"
    assert components.events == []


def test_value_of_16000_characters_is_accepted(components):
    segment = components.app().cache().segment()

    segment.put("big", "v" * 16_000)

    assert segment.get_value("big") == "v" * 16_000


def test_value_of_16001_characters_is_refused(components):
    with api_error(components) as raised:
        components.app().cache().segment().put("big", "v" * 16_001)

    assert (raised.value.code, raised.value.status_code) == ("INVALID_INPUT", 400)
    assert raised.value.message == "cache_value must be at most 16000 characters; it has 16001"


def test_value_must_be_a_string(components):
    with api_error(components) as raised:
        components.app().cache().segment().put("n", 42)

    assert (raised.value.code, raised.value.message) == ("INVALID_INPUT",
                                                         "cache_value must be a string")


@pytest.mark.parametrize("hours", [1, 48])
def test_expiry_from_1_to_48_hours_is_accepted(components, hours):
    item = components.app().cache().segment().put("k", "v", hours)

    assert item["expiry_in_hours"] == str(hours)
    assert item["ttl_in_milliseconds"] == str(hours * 3600 * 1000)


@pytest.mark.parametrize("hours", [0, 49, -1])
def test_expiry_outside_1_to_48_hours_is_refused(components, hours):
    with api_error(components) as raised:
        components.app().cache().segment().put("k", "v", hours)

    assert (raised.value.code, raised.value.status_code) == ("INVALID_INPUT", 400)
    assert raised.value.message == "expiry_in_hours must be a whole number of hours from 1 to 48"


def test_segment_name_is_not_an_id_by_default(components):
    with api_error(components) as raised:
        components.app().cache().segment("CrmFiles").put("k", "v")

    assert (raised.value.code, raised.value.message) == ("INVALID_ID",
                                                         "Invalid Segment ID CrmFiles")


@pytest.mark.parametrize("settings", [Settings(names_as_ids=True)])
def test_segment_name_works_as_id_when_the_setting_is_on(components):
    item = components.app().cache().segment("CrmFiles").put("k", "v")

    assert item["segment_details"]["id"] == segment_ids(components)["CrmFiles"]
    assert components.events[0]["entity_id"] == segment_ids(components)["CrmFiles"]


def test_sdk_initialised_outside_a_function_works(components):
    segment = components.admin_app().cache().segment()

    segment.put("k", "v")

    assert segment.get_value("k") == "v"


def test_foreign_token_through_the_sdk_is_401(components):
    headers = components.runtime.credentials.function_headers("req-1")
    headers["x-zc-admin-cred-token"] = "1000.not.ours"

    with api_error(components) as raised:
        components.app(headers=headers).cache().get_all_segment()

    assert (raised.value.code, raised.value.status_code) == ("INVALID_TOKEN", 401)
    assert raised.value.message == ("The OAuth token is invalid or was not issued by this "
                                    "emulator.")


@pytest.mark.parametrize("authorization", [None, "Zoho-oauthtoken 1000.aa.bb", "Bearer x"])
def test_missing_or_foreign_credential_is_401_with_the_envelope(components, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = httpx.get(f"{components.base}/segment", headers=headers)

    assert response.status_code == 401
    assert response.json() == {"status": "failure", "data": {
        "error_code": "INVALID_TOKEN",
        "message": "The OAuth token is invalid or was not issued by this emulator."}}


def test_another_project_id_is_invalid_id(components):
    response = httpx.get(f"{components.url}/baas/v1/project/123/segment",
                         headers=components.admin_headers())

    assert response.status_code == 404
    assert response.json()["data"] == {"error_code": "INVALID_ID",
                                       "message": "Invalid Project ID 123"}


@pytest.mark.parametrize(("method", "path"), [("PATCH", "/cache"), ("DELETE", "/segment"),
                                              ("POST", "/segment/1")])
def test_wrong_method_is_405_with_the_envelope(components, method, path):
    response = httpx.request(method, components.base + path, headers=components.admin_headers())

    assert response.status_code == 405
    assert response.json() == {"status": "failure", "data": {
        "error_code": "INVALID_REQUEST_METHOD",
        "message": f"The request method {method} is not allowed on "
                   f"/baas/v1/project/{components.runtime.credentials.project_id}{path}."}}


def test_body_that_is_not_a_json_object_is_invalid_input(components):
    response = httpx.post(f"{components.base}/cache", content=b"[1, 2",
                          headers=components.admin_headers())

    assert response.status_code == 400
    assert response.json()["data"] == {"error_code": "INVALID_INPUT",
                                       "message": "The request body is not a valid JSON object."}


def test_get_without_cache_key_is_invalid_input(components):
    response = httpx.get(f"{components.base}/cache", headers=components.admin_headers())

    assert response.status_code == 400
    assert response.json()["data"] == {"error_code": "INVALID_INPUT",
                                       "message": "cacheKey must be a non-empty string"}
