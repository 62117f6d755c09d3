import pytest
from crm_import.errors import ImportFailure
from crm_import.field_match import fields_from_metadata, match_headers


def field(api_name, label, data_type="text", mandatory=False, read_only=False):
    return {"api_name": api_name, "display_label": label, "data_type": data_type,
            "system_mandatory": mandatory, "read_only": read_only, "field_read_only": read_only}


LEADS = fields_from_metadata([
    field("Owner", "Lead Owner", "ownerlookup"),
    field("First_Name", "First Name"),
    field("Last_Name", "Last Name", mandatory=True),
    field("Company", "Company", mandatory=True),
    field("Email", "Email", "email"),
    field("Lead_Source", "Lead Source", "picklist"),
    field("Annual_Revenue", "Annual Revenue", "currency"),
    field("No_of_Employees", "No. of Employees", "integer"),
    field("Campaign_Source", "Campaign Source", "lookup"),
    field("Created_Time", "Created Time", "datetime", mandatory=True, read_only=True),
])


def match(headers, operation="insert", fields=LEADS):
    return match_headers(headers, fields, "Leads", operation)


def refused(headers, operation="insert", fields=LEADS) -> str:
    with pytest.raises(ImportFailure) as caught:
        match(headers, operation, fields)
    return str(caught.value)


def test_api_name_headers_need_no_mappings():
    assert match(["Last_Name", "Company", "Email", "Owner.email", "Campaign_Source.id"]) is None
    assert match(["id", "Last_Name"], "update") is None


def test_display_labels_map_by_index():
    headers = ["First Name", "Last Name", "Email", "Lead Source", "Annual Revenue", "Company"]
    assert match(headers) == [
        {"api_name": "First_Name", "index": 0}, {"api_name": "Last_Name", "index": 1},
        {"api_name": "Email", "index": 2}, {"api_name": "Lead_Source", "index": 3},
        {"api_name": "Annual_Revenue", "index": 4}, {"api_name": "Company", "index": 5},
    ]


def test_case_spaces_and_underscores_are_loose_but_api_names_win():
    headers = ["  LAST   name ", "company", "lead__source", "no_of_employees", "Owner.id"]
    assert match(headers) == [
        {"api_name": "Last_Name", "index": 0}, {"api_name": "Company", "index": 1},
        {"api_name": "Lead_Source", "index": 2}, {"api_name": "No_of_Employees", "index": 3},
        {"api_name": "Owner", "index": 4, "find_by": "id"},
    ]


def test_a_blank_header_column_is_left_out():
    assert match(["Last_Name", "", "Company"]) == [
        {"api_name": "Last_Name", "index": 0}, {"api_name": "Company", "index": 2}]


def test_read_only_columns_are_matched_but_not_sent():
    assert match(["Last Name", "Company", "Created Time"]) == [
        {"api_name": "Last_Name", "index": 0}, {"api_name": "Company", "index": 1}]


def test_unmatched_headers_are_named():
    assert refused(["Last Name", "Company", "Shoe Size", "Pet"]) == (
        "columns Shoe Size, Pet match no field of module Leads")
    assert refused(["Last_Name", "Company", "Shoe Size"]) == (
        "column Shoe Size matches no field of module Leads")


def test_long_lists_and_names_are_cut():
    headers = ["Last_Name", "Company", *(f"X{i}" for i in range(12)), "Y" * 80]
    assert refused(headers) == (
        "columns X0, X1, X2, X3, X4, X5, X6, X7, X8, X9 and 3 more match no field of module Leads")
    assert refused(["Last_Name", "Company", "Y" * 80]) == (
        f"column {'Y' * 59}… matches no field of module Leads")


@pytest.mark.parametrize(("headers", "operation", "reason"), [
    (["First Name", "Email"], "insert", "mandatory fields Last_Name, Company of module Leads"
     " have no column (MANDATORY_FIELDS_NOT_MAPPED)"),
    (["Last_Name", "Email"], "upsert", "mandatory field Company of module Leads"
     " has no column (MANDATORY_FIELDS_NOT_MAPPED)"),
])
def test_missing_mandatory_fields_are_named(headers, operation, reason):
    assert refused(headers, operation) == reason


def test_an_update_needs_no_mandatory_field():
    assert match(["id", "Email"], "update") is None
    assert match(["ID", "Lead Source"], "update") == [
        {"api_name": "id", "index": 0}, {"api_name": "Lead_Source", "index": 1}]


def test_every_problem_is_reported_at_once():
    assert refused(["Shoe Size", "Email", "email"]) == (
        "column Shoe Size matches no field of module Leads; columns Email, email all match"
        " field Email of module Leads; mandatory fields Last_Name, Company of module Leads have"
        " no column (MANDATORY_FIELDS_NOT_MAPPED)")


def test_a_label_shared_by_two_fields_is_ambiguous():
    fields = [*LEADS, *fields_from_metadata([field("Source_2", "Lead Source")])]
    assert refused(["Last_Name", "Company", "Lead Source"], fields=fields) == (
        "column Lead Source matches more than one field of module Leads")


def test_a_lookup_matched_by_label_needs_a_key():
    assert refused(["Last Name", "Company", "Lead Owner"]) == (
        "column Lead Owner is the lookup field Owner: name it Owner.id (record ids) or give a"
        " mapping")
    # Among API-name headers the job carries no mappings, so Zoho reads the lookup itself.
    assert match(["Last_Name", "Company", "Owner"]) is None


def test_metadata_entries_without_an_api_name_are_skipped():
    fields = fields_from_metadata([
        "junk", {"display_label": "No Name"}, {"api_name": "Last_Name", "field_label": "Surname",
                                               "system_mandatory": True}])
    assert [(f.api_name, f.label, f.mandatory) for f in fields] == [
        ("Last_Name", "Surname", True)]
    assert match(["surname"], fields=fields) == [{"api_name": "Last_Name", "index": 0}]
