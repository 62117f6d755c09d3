"""A small in-memory stand-in for the Catalyst side of an import (Cache and File Store)."""

import shutil
from pathlib import Path


class MemoryShare:
    def __init__(self, store) -> None:
        self.store = store

    def load(self):
        return self.store.default.get("CRM_BULK_IMPORT_TOKEN")

    def save(self, value):
        self.store.default["CRM_BULK_IMPORT_TOKEN"] = value


class FakeStore:
    """Keeps files in a directory and cache entries in dicts; records the order of writes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, tuple[str, Path]] = {}
        self.default: dict[str, str] = {}
        self.jobs: dict[str, str] = {}
        self.writes: list[tuple[str, str]] = []
        self.fail_on: str | None = None
        self._next = 4000000000001

    def _maybe_fail(self, operation):
        if self.fail_on == operation:
            raise RuntimeError(f"{operation} broke")

    def upload_file(self, path: Path, name: str) -> str:
        self._maybe_fail("upload_file")
        file_id = str(self._next)
        self._next += 1
        copy = self.root / file_id
        shutil.copyfile(path, copy)
        self.files[file_id] = (name, copy)
        self.writes.append(("file", file_id))
        return file_id

    def add_file(self, name: str, content: bytes) -> str:
        file_id = str(self._next)
        self._next += 1
        (self.root / file_id).write_bytes(content)
        self.files[file_id] = (name, self.root / file_id)
        return file_id

    def file_name(self, file_id):
        return self.files[file_id][0]

    def download(self, file_id, target):
        self._maybe_fail("download")
        shutil.copyfile(self.files[file_id][1], target)
        return target.stat().st_size

    def delete_file(self, file_id):
        self._maybe_fail("delete_file")
        self.files.pop(file_id, None)
        self.writes.append(("delete_file", file_id))

    def put_job(self, key, value):
        self._maybe_fail("put_job")
        self.jobs[key] = value
        self.writes.append(("put_job", key))

    def delete_job(self, key):
        self.jobs.pop(key, None)
        self.writes.append(("delete_job", key))

    def get_default(self, key):
        return self.default.get(key)

    def put_default(self, key, value, expiry_hours=None):
        self._maybe_fail("put_default")
        self.default[key] = value
        self.writes.append(("put_default", key))

    def token_share(self):
        return MemoryShare(self)
