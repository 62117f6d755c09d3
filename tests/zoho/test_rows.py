"""Row rules: mandatory fields, values, lookups, duplicates and operation semantics."""

from __future__ import annotations

import time

import pytest


def _statuses(details):
    file = details["resource"][0]["file"]
    return file["added_count"], file["updated_count"], file["skipped_count"]


def test_email_date_and_boolean_checks(zoho):
    text = ("Last_Name,Email,Date_of_Birth,Email_Opt_Out\n"
            "A,a@example.com,1990-04-01,true\n"
            "B,b@example.com,04/01/1990,FALSE\n"
            "C,not-an-email,1990.04.01,yes\n")
    details = zoho.run("Contacts", text, name="contacts.csv")
    assert _statuses(details) == (2, 0, 1)
    _, rows = zoho.result_rows(details)
    assert rows[3][-1] == "INVALID_DATA-Email,Date_of_Birth,Email_Opt_Out"
    stored = zoho.sandbox.records("Contacts")
    assert [r["Date_of_Birth"] for r in stored] == ["1990-04-01", "1990-04-01"]
    assert [r["Email_Opt_Out"] for r in stored] == [True, False]


def test_a_mapping_format_is_honoured(zoho):
    mappings = [{"api_name": "Last_Name", "index": 0},
                {"api_name": "Date_of_Birth", "index": 1, "format": "dd.MM.yyyy"}]
    details = zoho.run("Contacts", "n,d\nA,31.12.1990\nB,1990-12-31\n", name="c.csv",
                       field_mappings=mappings)
    assert _statuses(details) == (1, 0, 1)
    assert zoho.sandbox.records("Contacts")[0]["Date_of_Birth"] == "1990-12-31"


def test_single_line_length_and_numbers(zoho):
    long_name = "x" * 81
    text = (f"Last_Name,Company,No_of_Employees,Annual_Revenue\n"
            f"{long_name},Acme,12,100\nOk,Acme,\"123,344\",1.5\nOk2,Acme,1234567890,abc\n")
    details = zoho.run("Leads", text)
    assert _statuses(details) == (1, 0, 2)
    _, rows = zoho.result_rows(details)
    assert rows[1][-1] == "INVALID_DATA-Last_Name"
    assert rows[3][-1] == "INVALID_DATA-No_of_Employees,Annual_Revenue"
    assert zoho.sandbox.records("Leads")[0]["No_of_Employees"] == 123344


def test_system_fields_are_ignored_and_set_by_the_sandbox(zoho):
    text = "Last_Name,Company,Created_Time,Created_By\nDoe,Acme,2001-01-01T00:00:00+00:00,x\n"
    details = zoho.run("Leads", text)
    assert _statuses(details) == (1, 0, 0)
    (record,) = zoho.sandbox.records("Leads")
    assert not record["Created_Time"].startswith("2001")
    assert record["Created_By"]["id"] == zoho.sandbox.org(zoho.sandbox.org_id).user_id


def test_unknown_picklist_values_are_added_and_multiselect_splits_on_semicolons(zoho):
    text = ('Last_Name,Company,Lead_Source,Products_of_Interest\n'
            'Doe,Acme,Podcast,"Hardware;Drones"\nRoe,Acme,Podcast,"Hardware,Software"\n')
    details = zoho.run("Leads", text)
    assert _statuses(details) == (2, 0, 0)
    records = zoho.sandbox.records("Leads")
    assert records[0]["Products_of_Interest"] == ["Hardware", "Drones"]
    assert records[1]["Products_of_Interest"] == ["Hardware,Software"]
    fields = zoho.http.get(zoho.url("/api/crm/v8/settings/fields"), params={"module": "Leads"},
                           headers=zoho.auth()).json()["fields"]
    by_name = {f["api_name"]: f for f in fields}
    values = [v["actual_value"] for v in by_name["Lead_Source"]["pick_list_values"]]
    assert values[-1] == "Podcast" and values.count("Podcast") == 1
    multi = [v["actual_value"] for v in by_name["Products_of_Interest"]["pick_list_values"]]
    assert multi[-2:] == ["Drones", "Hardware,Software"]


def test_quoted_newlines_are_one_record(zoho):
    text = 'Last_Name,Company,Description\nDoe,Acme,"line one\nline two"\n\nRoe,Acme,x\n'
    details = zoho.run("Leads", text)
    assert details["resource"][0]["file"]["total_count"] == 2
    assert zoho.sandbox.records("Leads")[0]["Description"] == "line one\nline two"


def test_semicolon_delimiter_is_detected(zoho):
    details = zoho.run("Leads", "Last_Name;Company\nDoe;Acme, Inc.\n")
    assert _statuses(details) == (1, 0, 0)
    assert zoho.sandbox.records("Leads")[0]["Company"] == "Acme, Inc."


def test_duplicate_email_is_a_row_error_and_find_by_skips_matches(zoho):
    zoho.run("Leads", "Last_Name,Company,Email\nDoe,Acme,doe@example.com\n")
    details = zoho.run("Leads", "Last_Name,Company,Email\nDoe,Acme,DOE@example.com\n"
                                "Roe,Acme,roe@example.com\nRoe2,Acme,roe@example.com\n")
    assert _statuses(details) == (1, 0, 2)
    _, rows = zoho.result_rows(details)
    assert [r[-1] for r in rows[1:]] == ["DUPLICATE_DATA-Email", "", "DUPLICATE_DATA-Email"]
    skipped = zoho.run("Leads", "Last_Name,Company,Email\nNew,Acme,doe@example.com\n",
                       find_by="Email")
    assert _statuses(skipped) == (0, 0, 1)
    _, rows = zoho.result_rows(skipped)
    assert rows[1][-3:] == ["skipped", "", ""]


def test_update_by_find_by_and_missing_matches(zoho):
    zoho.run("Leads", "Last_Name,Company,Email,Phone\nDoe,Acme,doe@example.com,555\n")
    details = zoho.run("Leads", "Email,Company,Phone\ndoe@example.com,Globex,\n"
                                "zed@example.com,Initech,1\n", operation="update",
                       find_by="Email")
    assert _statuses(details) == (0, 1, 1)
    _, rows = zoho.result_rows(details)
    assert rows[2][-3:] == ["skipped", "", "RESOURCE_NOT_FOUND-Email"]
    (record,) = zoho.sandbox.records("Leads")
    assert (record["Company"], record["Phone"], record["Last_Name"]) == ("Globex", None, "Doe")


def test_ignore_empty_keeps_existing_values(zoho):
    zoho.run("Leads", "Last_Name,Company,Email,Phone\nDoe,Acme,doe@example.com,555\n")
    zoho.run("Leads", "Email,Phone,Company\ndoe@example.com,,\n", operation="update",
             find_by="Email", ignore_empty=True)
    (record,) = zoho.sandbox.records("Leads")
    assert (record["Phone"], record["Company"]) == ("555", "Acme")


def test_update_by_id(zoho):
    zoho.run("Leads", "Last_Name,Company\nDoe,Acme\n")
    record_id = zoho.sandbox.records("Leads")[0]["id"]
    details = zoho.run("Leads", f"id,Company\n{record_id},Globex\n", operation="update",
                       find_by="id")
    assert _statuses(details) == (0, 1, 0)
    assert zoho.sandbox.records("Leads")[0]["Company"] == "Globex"


def test_upsert_updates_matches_and_inserts_the_rest(zoho):
    zoho.run("Leads", "Last_Name,Company,Email\nDoe,Acme,doe@example.com\n")
    details = zoho.run("Leads", "Last_Name,Company,Email\nDoe,Globex,doe@example.com\n"
                                "Roe,Initech,roe@example.com\n", operation="upsert",
                       find_by="Email")
    assert _statuses(details) == (1, 1, 0)
    assert [r["Company"] for r in zoho.sandbox.records("Leads")] == ["Globex", "Initech"]


def test_deal_lookup_by_account_name_and_by_id(zoho):
    zoho.run("Accounts", "Account_Name\nAcme\nGlobex\n", name="accounts.csv")
    accounts = {a["Account_Name"]: a["id"] for a in zoho.sandbox.records("Accounts")}
    text = ("Deal_Name,Stage,Closing_Date,Account_Name.Account_Name\n"
            "Big,Qualification,2025-01-05,Acme\nLost,Closed Lost,2025-01-05,Nobody\n")
    details = zoho.run("Deals", text, name="deals.csv")
    assert _statuses(details) == (1, 0, 1)
    _, rows = zoho.result_rows(details)
    assert rows[2][-1] == "INVALID_DATA-Account_Name"
    by_id = (f"Deal_Name,Stage,Closing_Date,Account_Name.id\n"
             f"Other,Qualification,01/31/2025,{accounts['Globex']}\n")
    zoho.run("Deals", by_id, name="deals.csv")
    deals = zoho.sandbox.records("Deals")
    assert deals[0]["Account_Name"] == {"name": "Acme", "id": accounts["Acme"]}
    assert deals[1]["Account_Name"]["id"] == accounts["Globex"]
    assert deals[1]["Closing_Date"] == "2025-01-31"


def test_bytes_in_another_encoding_are_garbled_not_refused(zoho):
    text = "Last_Name,Company\nMüller,Acme\n".encode("latin-1")
    body = {"operation": "insert", "character_encoding": "UTF-8",
            "resource": [{"type": "data", "module": {"api_name": "Leads"},
                          "file_id": zoho.file_id(text)}]}
    assert zoho.create_job(body).status_code == 201
    zoho.admin("POST", "/jobs/advance").raise_for_status()
    assert zoho.sandbox.records("Leads")[0]["Last_Name"] == "M\ufffdller"


@pytest.mark.slow
def test_25000_rows_are_processed_quickly(zoho):
    rows = "".join(f"L{i},Acme,l{i}@example.com\n" for i in range(25_000))
    started = time.perf_counter()
    details = zoho.run("Leads", "Last_Name,Company,Email\n" + rows)
    elapsed = time.perf_counter() - started
    assert _statuses(details) == (25_000, 0, 0)
    print(f"25,000-row insert job: {elapsed:.2f} s end to end")
