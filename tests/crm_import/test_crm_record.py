import json

from crm_import.record import BatchProgress, ImportRecord

MAPPINGS = [{"api_name": "Last_Name", "index": 1}, {"api_name": "Owner", "index": 3,
                                                     "find_by": "email"}]


def full_record(batches: int) -> ImportRecord:
    record = ImportRecord("4000000000001", "Leads", "insert", "42", state="submitted")
    record.batches = [
        BatchProgress(i, 25_000, 24_900_000, "4876876000001234567", "4876876000001239001",
                      "submitted")
        for i in range(1, batches + 1)
    ]
    return record


def test_a_matched_mapping_round_trips():
    record = full_record(2)
    record.mapping, record.field_mappings = "matched", MAPPINGS
    again = ImportRecord.from_value(record.import_id, record.to_value())
    assert (again.mapping, again.field_mappings) == ("matched", MAPPINGS)
    assert again.public()["mapping"] == "matched"
    assert again.public()["field_mappings"] == MAPPINGS


def test_a_mapping_that_does_not_fit_leaves_only_the_flag():
    record = full_record(200)
    record.mapping = "matched"
    record.field_mappings = [{"api_name": f"Custom_Field_Number_{i:03}", "index": i}
                             for i in range(200)]
    value = record.to_value()
    assert len(value) <= 16_000
    assert "f" not in json.loads(value)
    again = ImportRecord.from_value(record.import_id, value)
    assert (again.mapping, again.field_mappings) == ("matched", None)

    record.batches = record.batches[:2]
    assert ImportRecord.from_value(record.import_id, record.to_value()).field_mappings == (
        record.field_mappings)


def test_a_record_without_a_mapping_choice_keeps_its_old_shape():
    record = full_record(1)
    assert set(json.loads(record.to_value())) == {"s", "m", "o", "g", "n", "b"}
    assert "mapping" not in ImportRecord.from_value("1", record.to_value()).public()
    auto = full_record(1)
    auto.mapping = "auto"
    assert ImportRecord.from_value("1", auto.to_value()).mapping == "auto"
