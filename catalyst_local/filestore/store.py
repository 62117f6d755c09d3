"""File Store folders and files: metadata in SQLite, bytes under `blobs/<folder_id>/<file_id>`.

A file's name is metadata only and never takes part in a disk path, so no name can reach outside
the data directory. No HTTP here.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from catalyst_local.baas.shapes import SYSTEM_USER, catalyst_time
from catalyst_local.filestore import errors
from catalyst_local.filestore.upload import PendingUpload, is_temp_file
from catalyst_local.ids import new_id
from catalyst_local.runtime import Runtime

logger = logging.getLogger("catalyst_local.filestore")

_LEFTOVER_AGE_SECONDS = 3600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS folders (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL,
    modified_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY,
    folder_id TEXT NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at REAL NOT NULL,
    modified_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS files_by_folder ON files(folder_id);
"""


class FileStore:
    """The project's File Store: folders (no subfolders) holding files of bounded size."""

    def __init__(self, directory: Path, runtime: Runtime,
                 clock: Callable[[], float] = time.time):
        directory.mkdir(parents=True, exist_ok=True)
        self._runtime = runtime
        self._clock = clock
        self._blobs = directory / "blobs"
        self._blobs.mkdir(exist_ok=True)
        # One connection behind a lock: File Store calls are few, and short except for the
        # byte streaming, which happens outside the lock.
        self._lock = threading.Lock()
        self._db = sqlite3.connect(directory / "filestore.sqlite3", check_same_thread=False,
                                   isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        self._remove_leftovers()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # Folders

    def provision(self, folder_names: list[str]) -> None:
        """Creates each declared folder that does not exist yet; existing ones keep their ids.

        The cloud creates these in its console; this is that console step.
        """
        with self._lock:
            for name in folder_names:
                if self._db.execute("SELECT 1 FROM folders WHERE name = ?", (name,)).fetchone():
                    continue
                folder_id = self._insert_folder(name)
                logger.info("Folder %s created with id %s", name, folder_id)

    def folders(self) -> list[dict[str, Any]]:
        """GET /folder: every folder, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM folders ORDER BY rowid").fetchall()
        return [self._folder_dict(row) for row in rows]

    def folder(self, folder_id: str, with_files: bool = True) -> dict[str, Any]:
        """GET /folder/{id}: the folder with `file_details`, its files oldest first."""
        with self._lock:
            row = self._folder_row(folder_id)
            if not with_files:
                return self._folder_dict(row)
            files = self._db.execute("SELECT * FROM files WHERE folder_id = ? "
                                     "ORDER BY rowid", (row["id"],)).fetchall()
        return {**self._folder_dict(row), "file_details": [self._file_dict(f, row) for f in files]}

    def create_folder(self, name: Any) -> dict[str, Any]:
        """POST /folder: a new folder; the name must be unused (409 DUPLICATE_VALUE)."""
        name = _check_folder_name(name)
        with self._lock:
            self._ensure_name_free(name)
            folder_id = self._insert_folder(name)
            row = self._folder_row(folder_id)
        logger.info("Folder %s created with id %s", name, folder_id)
        return self._folder_dict(row)

    def rename_folder(self, folder_id: str, name: Any) -> dict[str, Any]:
        """PUT /folder/{id}: renames the folder; the new name must be unused by other folders."""
        name = _check_folder_name(name)
        with self._lock:
            row = self._folder_row(folder_id)
            if name != row["name"]:
                self._ensure_name_free(name)
            self._db.execute("UPDATE folders SET name = ?, modified_at = ? WHERE id = ?",
                             (name, self._clock(), row["id"]))
            row = self._folder_row(row["id"])
        return self._folder_dict(row)

    def delete_folder(self, folder_id: str) -> dict[str, Any]:
        """DELETE /folder/{id}: removes the folder and every file in it; answers the folder."""
        with self._lock:
            row = self._folder_row(folder_id)
            self._db.execute("DELETE FROM folders WHERE id = ?", (row["id"],))
            # Uploads still streaming into this folder lose their temp files here and fail
            # when they commit.
            shutil.rmtree(self._blobs / row["id"], ignore_errors=True)
        logger.info("Folder %s deleted", row["id"])
        return self._folder_dict(row)

    # Files

    def files(self, folder_id: str) -> list[dict[str, Any]]:
        """The folder's files, oldest first."""
        return self.folder(folder_id)["file_details"]

    def file(self, folder_id: str, file_id: str) -> dict[str, Any]:
        """GET /folder/{id}/file/{file_id}: one file of that folder."""
        with self._lock:
            folder = self._folder_row(folder_id)
            row = self._file_row(folder, file_id)
        return self._file_dict(row, folder)

    def delete_file(self, folder_id: str, file_id: str) -> dict[str, Any]:
        """DELETE /folder/{id}/file/{file_id}: removes the file; answers what it was."""
        with self._lock:
            folder = self._folder_row(folder_id)
            row = self._file_row(folder, file_id)
            self._db.execute("DELETE FROM files WHERE id = ?", (row["id"],))
            self._blob_path(folder["id"], row["id"]).unlink(missing_ok=True)
        return self._file_dict(row, folder)

    def open_file(self, folder_id: str, file_id: str) -> tuple[dict[str, Any], BinaryIO]:
        """The file's metadata and its bytes, opened for reading.

        Opened under the lock, so a concurrent delete cannot leave a reader with a half file:
        the open handle keeps the bytes readable until it is closed.
        """
        with self._lock:
            folder = self._folder_row(folder_id)
            row = self._file_row(folder, file_id)
            handle = self._blob_path(folder["id"], row["id"]).open("rb")
        return self._file_dict(row, folder), handle

    def begin_upload(self, folder_id: str) -> PendingUpload:
        """A temp file in the folder's blob directory, capped at `settings.file_max_bytes`."""
        with self._lock:
            folder = self._folder_row(folder_id)
        return PendingUpload(self._blobs / folder["id"], self._runtime.settings.file_max_bytes)

    def commit_upload(self, upload: PendingUpload, folder_id: str,
                      file_name: Any) -> dict[str, Any]:
        """Moves a finished upload into place and records it; the file is visible from here on.

        On any failure the bytes are removed and nothing is recorded.
        """
        try:
            if not isinstance(file_name, str) or not file_name:
                raise errors.FILE_NAME_REQUIRED()
            with self._lock:
                folder = self._folder_row(folder_id)
                file_id = self._new_id("files")
                final_path = self._blob_path(folder["id"], file_id)
                try:
                    upload.finish(final_path)
                except FileNotFoundError:
                    # The folder was deleted while the bytes were streaming.
                    raise errors.FOLDER_NOT_FOUND(folder_id=folder_id) from None
                try:
                    now = self._clock()
                    self._db.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)",
                                     (file_id, folder["id"], file_name, upload.size, now, now))
                except BaseException:
                    final_path.unlink(missing_ok=True)
                    raise
                row = self._file_row(folder, file_id)
        finally:
            upload.abort()
        logger.info("File %s uploaded to folder %s (%d bytes)", file_id, folder["id"], upload.size)
        return self._file_dict(row, folder)

    # Internals (callers hold the lock)

    def _new_id(self, table: str) -> str:
        # new_id has only a few random digits after its clock: ids made in the same millisecond
        # can collide, so draw until one is free.
        while True:
            candidate = new_id(17)
            if not self._db.execute(f"SELECT 1 FROM {table} WHERE id = ?",
                                    (candidate,)).fetchone():
                return candidate

    def _insert_folder(self, name: str) -> str:
        folder_id = self._new_id("folders")
        now = self._clock()
        self._db.execute("INSERT INTO folders VALUES (?, ?, ?, ?)", (folder_id, name, now, now))
        return folder_id

    def _ensure_name_free(self, name: str) -> None:
        if self._db.execute("SELECT 1 FROM folders WHERE name = ?", (name,)).fetchone():
            raise errors.FOLDER_NAME_TAKEN(name=name)

    def _folder_row(self, folder_id: str) -> sqlite3.Row:
        row = self._db.execute("SELECT * FROM folders WHERE id = ?", (folder_id,)).fetchone()
        if row is None and self._runtime.settings.names_as_ids:
            row = self._db.execute("SELECT * FROM folders WHERE name = ?",
                                   (folder_id,)).fetchone()
        if row is None:
            raise errors.FOLDER_NOT_FOUND(folder_id=folder_id)
        return row

    def _file_row(self, folder: sqlite3.Row, file_id: str) -> sqlite3.Row:
        row = self._db.execute("SELECT * FROM files WHERE id = ? AND folder_id = ?",
                               (file_id, folder["id"])).fetchone()
        if row is None:
            raise errors.FILE_NOT_FOUND(file_id=file_id)
        return row

    def _blob_path(self, folder_id: str, file_id: str) -> Path:
        # Both parts are ids this store generated, never text from a request.
        return self._blobs / folder_id / file_id

    def _folder_dict(self, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "id": row["id"],
            "folder_name": row["name"],
            "created_time": catalyst_time(row["created_at"]),
            "created_by": SYSTEM_USER,
            "modified_time": catalyst_time(row["modified_at"]),
            "modified_by": SYSTEM_USER,
            "project_details": self._runtime.project_details(),
        }

    def _file_dict(self, row: sqlite3.Row, folder: sqlite3.Row) -> dict[str, Any]:
        folder_details: Any = folder["id"]
        if self._runtime.settings.folder_details_as_object:
            folder_details = {"id": folder["id"], "folder_name": folder["name"]}
        return {
            "id": row["id"],
            "file_name": row["name"],
            "file_size": str(row["size"]),
            "file_location": None,
            "folder_details": folder_details,
            "created_time": catalyst_time(row["created_at"]),
            "created_by": SYSTEM_USER,
            "modified_time": catalyst_time(row["modified_at"]),
            "modified_by": SYSTEM_USER,
            "project_details": self._runtime.project_details(),
        }

    def _remove_leftovers(self) -> None:
        """Removes what a crash mid-upload can leave: temp files, and bytes never recorded.

        Only what has not been touched for a while goes, since another process (the CLI, say)
        may open this store while the server is streaming an upload into it.
        """
        known = {row["id"] for row in self._db.execute("SELECT id FROM files")}
        stale_before = time.time() - _LEFTOVER_AGE_SECONDS
        for path in self._blobs.glob("*/*"):
            if (is_temp_file(path) or path.name not in known) and path.is_file():
                if path.stat().st_mtime < stale_before:
                    logger.info("Removed leftover upload bytes %s", path.name)
                    path.unlink(missing_ok=True)


def _check_folder_name(name: Any) -> str:
    # TODO: the cloud's rules for folder names (length, characters, case) are undocumented;
    # here any non-blank string is a name, compared exactly.
    if not isinstance(name, str) or not name.strip():
        raise errors.FOLDER_NAME_REQUIRED()
    return name
