"""Create-job validation: the fixed order, Zoho's codes and messages, and the 201 answer."""

from __future__ import annotations

import pytest

LEADS = "Last_Name,Company,Email\nDoe,Acme,doe@example.com\n"


def _body(file_id, operation="insert", **resource):
    return {"operation": operation,
            "resource": [{"type": "data", "module": {"api_name": "Leads"}, "file_id": file_id,
                          **resource}]}


def _error(answer):
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["status"] == "error"
    return body["code"], body["message"]


def test_created_job_answers_201_with_id_and_creator(zoho):
    answer = zoho.create_job(_body(zoho.file_id(LEADS)))
    assert answer.status_code == 201
    body = answer.json()
    org = zoho.sandbox.org(zoho.sandbox.org_id)
    assert body["status"] == "success" and body["code"] == "SUCCESS"
    assert body["details"]["created_by"] == {"id": org.user_id, "name": org.user_name}
    assert body["details"]["id"].isdigit()


def test_missing_operation_comes_before_everything_else(zoho):
    answer = zoho.create_job({"resource": [{"module": {"api_name": "Calls"}}]})
    assert _error(answer) == ("MANDATORY_NOT_FOUND",
                              "required key operation is not found in request body.")


def test_update_without_find_by_comes_before_the_module(zoho):
    body = _body("1", operation="update")
    body["resource"][0]["module"] = {"api_name": "Calls"}
    assert _error(zoho.create_job(body)) == ("MANDATORY_NOT_FOUND",
                                             "Required key find_by is not available")


@pytest.mark.parametrize("module", ["Calls", "Events", "Notes", "Users", "Attachments",
                                    "Widgets"])
def test_unsupported_or_unknown_module_comes_before_the_file_id(zoho, module):
    body = _body("123")
    body["resource"][0]["module"] = {"api_name": module}
    assert _error(zoho.create_job(body)) == ("MODULE_NOT_AVAILABLE",
                                             f"Requested module '{module}' is not available.")


def test_unknown_and_used_file_ids_are_invalid(zoho):
    assert _error(zoho.create_job(_body("4000000000000000001"))) == ("INVALID_FILE_ID",
                                                                     "improper file id")
    file_id = zoho.file_id(LEADS)
    assert zoho.create_job(_body(file_id)).status_code == 201
    assert _error(zoho.create_job(_body(file_id))) == ("INVALID_FILE_ID", "improper file id")
    zoho.admin("POST", "/settings", json={"file_id_reuse": True}).raise_for_status()
    assert zoho.create_job(_body(file_id)).status_code == 201


def test_a_file_of_another_org_is_invalid(zoho):
    from .conftest import csv_zip

    eu_file = zoho.upload(csv_zip(LEADS), dc="eu").json()["details"]["file_id"]
    assert _error(zoho.create_job(_body(eu_file)))[0] == "INVALID_FILE_ID"


def test_a_zip_with_two_csvs_is_not_supported(zoho):
    from .conftest import make_zip

    answer = zoho.upload(make_zip({"a.csv": LEADS, "b.csv": LEADS}))
    body = _body(answer.json()["details"]["file_id"])
    assert _error(zoho.create_job(body)) == ("FILE_NOT_SUPPORTED",
                                             "File not supported for bulk write")


def test_more_than_25000_rows_or_200_columns_is_refused(zoho):
    rows = "Last_Name,Company\n" + "Doe,Acme\n" * 25_001
    assert _error(zoho.create_job(_body(zoho.file_id(rows)))) == (
        "FILE_NOT_SUPPORTED", "The file has more than 25000 records, the limit for bulk write.")
    wide = ",".join(f"c{i}" for i in range(201)) + "\n"
    assert _error(zoho.create_job(_body(zoho.file_id(wide))))[1] == (
        "The file has more than 200 columns, the limit for bulk write.")


def test_unknown_header_is_invalid_field(zoho):
    answer = zoho.create_job(_body(zoho.file_id("Last_Name,Company,Shoe_Size\nA,B,9\n")))
    assert _error(answer) == ("INVALID_FIELD", "invalid mapping. invalid api_name Shoe_Size.")


def test_mapping_checks_in_order(zoho):
    file_id = zoho.file_id(LEADS)
    bad_name = [{"api_name": "Nope", "index": 0}]
    assert _error(zoho.create_job(_body(file_id, field_mappings=bad_name))) == (
        "INVALID_FIELD", "invalid mapping. invalid api_name Nope.")
    no_index = [{"api_name": "Last_Name"}]
    assert _error(zoho.create_job(_body(file_id, field_mappings=no_index))) == (
        "MANDATORY_NOT_FOUND", "required key index for field Last_Name is not found in request "
        "body.")
    for index in (-1, 3):
        out_of_range = [{"api_name": "Last_Name", "index": index}]
        assert _error(zoho.create_job(_body(file_id, field_mappings=out_of_range))) == (
            "COLUMN_INDEX_NOT_FOUND",
            f"column index {index} for field Last_Name is not found in the file.")
    too_many = [{"api_name": "Last_Name", "index": 0}] * 201
    assert _error(zoho.create_job(_body(file_id, field_mappings=too_many))) == (
        "HEADER_LIMIT_EXCEEDED", "more than 200 fields are mapped.")


def test_callback_method_must_be_post(zoho):
    body = _body(zoho.file_id(LEADS))
    body["callback"] = {"url": "http://127.0.0.1:9/cb", "method": "get"}
    answer = zoho.create_job(body)
    assert _error(answer) == ("INVALID_CALLBACK_METHOD", "invalid callback method get.")
    assert answer.json()["details"] == {"supported_callback_methods": ["post"]}


def test_leads_without_company_is_mandatory_fields_not_mapped(zoho):
    answer = zoho.create_job(_body(zoho.file_id("First_Name,Last_Name\nJane,Doe\n")))
    assert _error(answer) == ("MANDATORY_FIELDS_NOT_MAPPED",
                              "All mandatory fields are not mapped for the layout [Company]")
    answer = zoho.create_job(_body(zoho.file_id("First_Name\nJane\n")))
    assert _error(answer)[1] == ("All mandatory fields are not mapped for the layout "
                                 "[Last_Name, Company]")


def test_a_default_value_maps_a_mandatory_field(zoho):
    mappings = [{"api_name": "Last_Name", "index": 0},
                {"api_name": "Company", "default_value": {"value": "Acme"}}]
    answer = zoho.create_job(_body(zoho.file_id("Last_Name\nDoe\n"), field_mappings=mappings))
    assert answer.status_code == 201


def test_deals_need_a_resolvable_account_lookup(zoho):
    plain = "Deal_Name,Stage,Closing_Date,Account_Name\nBig,Qualification,2025-01-05,Acme\n"
    body = _body(zoho.file_id(plain, "deals.csv"))
    body["resource"][0]["module"] = {"api_name": "Deals"}
    assert _error(zoho.create_job(body)) == (
        "MANDATORY_FIELDS_NOT_MAPPED",
        "All mandatory fields are not mapped for the layout [Account_Name]")
    by_name = plain.replace("Account_Name\n", "Account_Name.Account_Name\n")
    body = _body(zoho.file_id(by_name, "deals.csv"))
    body["resource"][0]["module"] = {"api_name": "Deals"}
    assert zoho.create_job(body).status_code == 201


def test_a_bom_kept_on_the_first_header_fails_auto_mapping(zoho):
    text = "\ufeffLast_Name,Company\nDoe,Acme\n".encode()
    assert zoho.create_job(_body(zoho.file_id(text))).status_code == 201
    zoho.admin("POST", "/settings", json={"bom": "keep"}).raise_for_status()
    assert _error(zoho.create_job(_body(zoho.file_id(text)))) == (
        "INVALID_FIELD", "invalid mapping. invalid api_name \ufeffLast_Name.")


def test_find_by_must_be_a_unique_field_that_is_mapped(zoho):
    file_id = zoho.file_id(LEADS)
    assert _error(zoho.create_job(_body(file_id, "update", find_by="Company"))) == (
        "INVALID_DATA", "invalid find_by Company.")
    assert _error(zoho.create_job(_body(file_id, "update", find_by="id"))) == (
        "INVALID_DATA", "the find_by field id is not mapped.")


def test_several_resources_are_not_emulated(zoho):
    body = _body(zoho.file_id(LEADS))
    body["resource"].append(dict(body["resource"][0]))
    answer = zoho.create_job(body)
    assert answer.status_code == 501
    assert answer.json()["code"] == "NOT_EMULATED"


def test_unknown_job_is_resource_not_found(zoho):
    answer = zoho.job("4000000000000000009")
    assert (answer.status_code, answer.json()) == (404, {
        "code": "RESOURCE_NOT_FOUND", "details": {},
        "message": "The requested resource doesn't exist.", "status": "error"})
