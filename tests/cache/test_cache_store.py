"""CacheStore rules that need a clock or a restart: expiry, stable ids, console listings."""

from __future__ import annotations

import pytest
from components_harness import close_runtime, make_runtime

from catalyst_local.baas.errors import CatalystError
from catalyst_local.cache.store import CacheStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def runtime(tmp_path):
    runtime = make_runtime(tmp_path)
    yield runtime
    close_runtime(runtime)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(runtime, tmp_path, clock):
    store = CacheStore(tmp_path / "clocked-cache", runtime, clock=clock)
    store.provision(["CrmFiles"])
    yield store
    store.close()


def segment_id(store: CacheStore, name: str) -> str:
    return next(s.id for s in store.segments() if s.name == name)


def test_a_key_is_gone_for_every_reader_once_its_expiry_passes(store, clock):
    crm = segment_id(store, "CrmFiles")
    store.put(crm, "short", "v", 1)
    store.put(crm, "long", "v", 2)

    clock.now += 3600 - 1
    assert store.get(crm, "short")["ttl_in_milliseconds"] == "1000"

    clock.now += 1
    assert store.get(crm, "short")["cache_value"] is None
    assert [item["cache_name"] for item in store.entries(crm)] == ["long"]
    assert store.delete(crm, "short")["cache_value"] is None


def test_an_expired_key_is_invalid_id_when_missing_keys_are_not_null(store, clock, runtime):
    runtime.settings.cache_missing_key_reads_null = False
    store.put(None, "k", "v", 1)
    clock.now += 3600

    with pytest.raises(CatalystError) as raised:
        store.get(None, "k")

    assert (raised.value.status, raised.value.code) == (404, "INVALID_ID")
    assert raised.value.message == "No cache key k in segment Default"


def test_put_again_restarts_the_expiry(store, clock):
    store.put(None, "k", "old", 1)
    clock.now += 1800
    store.put(None, "k", "new", 1)
    clock.now += 1800

    item = store.get(None, "k")
    assert (item["cache_value"], item["ttl_in_milliseconds"]) == ("new", "1800000")


def test_segment_ids_survive_a_restart_and_a_dropped_segment(runtime, tmp_path):
    first = CacheStore(tmp_path / "restarted", runtime)
    before = {s.name: s.id for s in first.provision(["CrmFiles", "Sessions"])}
    first.put(before["CrmFiles"], "k", "kept", None)
    first.close()

    second = CacheStore(tmp_path / "restarted", runtime)
    assert {s.name: s.id for s in second.segments()} == before
    assert [s.name for s in second.provision(["Sessions"])] == ["Default", "Sessions"]
    after = {s.name: s.id for s in second.provision(["CrmFiles", "Sessions"])}
    second.close()

    assert after == before
    third = CacheStore(tmp_path / "restarted", runtime)
    assert third.get(before["CrmFiles"], "k")["cache_value"] == "kept"
    third.close()


def test_default_is_provisioned_once_even_when_declared(store):
    names = [s.name for s in store.provision(["Default", "CrmFiles"])]

    assert names == ["Default", "CrmFiles"]


def test_entries_lists_live_keys_of_one_segment_sorted(store):
    crm = segment_id(store, "CrmFiles")
    store.put(crm, "b", "2", 3)
    store.put(crm, "a", "1", None)
    store.put(None, "elsewhere", "x", None)

    entries = store.entries(crm)

    assert [(e["cache_name"], e["cache_value"], e["ttl_in_milliseconds"]) for e in entries] == \
        [("a", "1", "172800000"), ("b", "2", "10800000")]


def test_clear_removes_keys_but_keeps_segments(store):
    crm = segment_id(store, "CrmFiles")
    store.put(crm, "a", "1", None)
    store.put(None, "b", "2", None)

    assert store.clear(crm) == 1
    assert store.entries(crm) == []
    assert store.clear() == 1
    assert store.entries(segment_id(store, "Default")) == []
    assert [s.name for s in store.segments()] == ["Default", "CrmFiles"]


@pytest.mark.parametrize("hours", ["1", "48"])
def test_expiry_sent_as_a_digit_string_is_read_as_hours(store, hours):
    assert store.put(None, "k", "v", hours)["expiry_in_hours"] == hours


@pytest.mark.parametrize("hours", ["0", "1.5", 1.5, True, "49"])
def test_expiry_that_is_not_whole_hours_in_range_is_refused(store, hours):
    with pytest.raises(CatalystError) as raised:
        store.put(None, "k", "v", hours)

    assert (raised.value.status, raised.value.code) == (400, "INVALID_INPUT")
