"""FileStore rules below the HTTP layer: restarts, atomic commits, leftovers after a crash."""

from __future__ import annotations

import os
import time

import pytest
from components_harness import close_runtime, make_runtime

from catalyst_local.baas.errors import CatalystError
from catalyst_local.filestore.store import FileStore


@pytest.fixture
def runtime(tmp_path):
    runtime = make_runtime(tmp_path)
    yield runtime
    close_runtime(runtime)


@pytest.fixture
def store(runtime, tmp_path):
    store = FileStore(tmp_path / "store", runtime)
    store.provision(["CrmFiles"])
    yield store
    store.close()


def crm_files(store: FileStore) -> str:
    return next(f["id"] for f in store.folders() if f["folder_name"] == "CrmFiles")


def stored(store: FileStore, folder_id: str, name: str, content: bytes) -> dict:
    upload = store.begin_upload(folder_id)
    upload.write(content)
    return store.commit_upload(upload, folder_id, name)


def test_declared_folders_keep_their_ids_and_files_across_a_restart(runtime, tmp_path):
    first = FileStore(tmp_path / "restarted", runtime)
    first.provision(["CrmFiles", "Reports"])
    before = {f["folder_name"]: f["id"] for f in first.folders()}
    file = stored(first, before["CrmFiles"], "a.txt", b"kept")
    first.close()

    second = FileStore(tmp_path / "restarted", runtime)
    second.provision(["CrmFiles", "Reports"])

    assert {f["folder_name"]: f["id"] for f in second.folders()} == before
    meta, handle = second.open_file(before["CrmFiles"], file["id"])
    with handle:
        assert (meta, handle.read()) == (file, b"kept")
    second.close()


def test_nothing_is_visible_before_commit(store):
    folder_id = crm_files(store)
    upload = store.begin_upload(folder_id)
    upload.write(b"partial")

    assert store.files(folder_id) == []
    assert upload.path.exists()

    upload.abort()
    assert not upload.path.exists()
    assert store.files(folder_id) == []


def test_a_commit_into_a_folder_deleted_meanwhile_leaves_nothing(store, tmp_path):
    folder_id = crm_files(store)
    upload = store.begin_upload(folder_id)
    upload.write(b"orphan")
    store.delete_folder(folder_id)

    with pytest.raises(CatalystError) as raised:
        store.commit_upload(upload, folder_id, "late.txt")

    assert (raised.value.code, raised.value.message) == ("INVALID_ID",
                                                         f"Invalid Folder ID {folder_id}")
    assert not (tmp_path / "store" / "blobs" / folder_id).exists()


def test_a_refused_file_name_removes_the_bytes(store):
    folder_id = crm_files(store)
    upload = store.begin_upload(folder_id)
    upload.write(b"x")

    with pytest.raises(CatalystError):
        store.commit_upload(upload, folder_id, "")

    assert not upload.path.exists()
    assert list(upload.path.parent.iterdir()) == []


def test_an_open_download_survives_a_delete(store):
    folder_id = crm_files(store)
    file = stored(store, folder_id, "a", b"still here")
    _, handle = store.open_file(folder_id, file["id"])

    store.delete_file(folder_id, file["id"])

    with handle:
        assert handle.read() == b"still here"
    with pytest.raises(CatalystError):
        store.open_file(folder_id, file["id"])


def test_stale_leftovers_of_a_crash_are_removed_on_start(runtime, tmp_path):
    first = FileStore(tmp_path / "crashed", runtime)
    first.provision(["CrmFiles"])
    folder_id = crm_files(first)
    kept = stored(first, folder_id, "kept", b"k")
    stale_temp = first.begin_upload(folder_id).path
    unrecorded = stale_temp.parent / "41234567890123456"
    unrecorded.write_bytes(b"renamed but never recorded")
    fresh_temp = first.begin_upload(folder_id).path
    first.close()
    an_hour_ago = time.time() - 3601
    for path in (stale_temp, unrecorded):
        os.utime(path, (an_hour_ago, an_hour_ago))

    second = FileStore(tmp_path / "crashed", runtime)

    assert sorted(p.name for p in stale_temp.parent.iterdir()) == \
        sorted([kept["id"], fresh_temp.name])
    second.close()


def test_files_list_in_upload_order(store):
    folder_id = crm_files(store)
    names = [stored(store, folder_id, f"{n}.txt", b"x")["file_name"] for n in range(3)]

    assert [f["file_name"] for f in store.files(folder_id)] == names
    assert [f["file_name"] for f in store.folder(folder_id)["file_details"]] == names
