"""Cache and File Store, through the official Catalyst SDK only.

`CrmFiles` (folder and segment) is looked up by name once per process, because the REST API
addresses both by id. The Default segment holds the import records and the shared Zoho token.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from pathlib import Path

import zcatalyst_sdk
from zcatalyst_sdk.exceptions import CatalystAPIError

from crm_import.errors import ConfigurationError
from crm_import.names import FOLDER_NAME, SEGMENT_NAME, TOKEN_KEY

log = logging.getLogger("crm_import.catalyst")

_DOWNLOAD_CHUNK = 1024 * 1024
_ids: dict[str, str] = {}
_ids_lock = threading.Lock()


class CatalystStore:
    """The Catalyst side of an import, on the app the host initialised for this thread."""

    def __init__(self, app=None) -> None:
        self._app = app or zcatalyst_sdk.initialize()

    # -- File Store --------------------------------------------------------------------------

    def folder(self):
        return self._app.filestore().folder(self._folder_id())

    def upload_file(self, path: Path, name: str) -> str:
        """Uploads a file into `CrmFiles` and returns its File Store id.

        `Folder.upload_file` hands the file to requests as `files=`, which builds the whole
        multipart body in memory; an 80 MB upload would need that much RAM again. The same
        folder's authorised requester is given a body that reads the file in chunks instead.
        """
        folder = self.folder()
        body = MultipartFileBody(path, name)
        response = folder._requester.request(
            method="POST",
            path=f"/folder/{folder._id}/file",
            data=body,
            headers={"Content-Type": body.content_type},
            user="user",
        )
        data = response.response_json.get("data") or {}
        if not data.get("id"):
            raise RuntimeError("File Store answered the upload without a file id")
        return str(data["id"])

    def file_name(self, file_id: str) -> str:
        details = self.folder().get_file_details(file_id) or {}
        return str(details.get("file_name") or "import.csv")

    def download(self, file_id: str, target: Path) -> int:
        """Streams a File Store file to `target`; returns its size in bytes."""
        response = self.folder().get_file_stream(file_id)
        size = 0
        try:
            with open(target, "wb") as out:
                for chunk in response.iter_content(_DOWNLOAD_CHUNK):
                    out.write(chunk)
                    size += len(chunk)
        finally:
            response.close()
        return size

    def delete_file(self, file_id: str) -> None:
        """Deletes the upload; one already gone (a redelivered event's cleanup) is fine."""
        try:
            self.folder().delete_file(file_id)
        except CatalystAPIError as exc:
            if exc.status_code != 404:
                raise

    # -- Cache -------------------------------------------------------------------------------

    def put_job(self, key: str, value: str) -> None:
        """Puts into segment `CrmFiles` (this fires the initiator), with the default expiry."""
        self._app.cache().segment(self._segment_id()).put(key, value)

    def delete_job(self, key: str) -> None:
        self._app.cache().segment(self._segment_id()).delete(key)

    def get_default(self, key: str) -> str | None:
        try:
            item = self._app.cache().segment().get(key)
        except CatalystAPIError as exc:
            if exc.status_code == 404:
                return None
            raise
        value = item.get("cache_value") if isinstance(item, dict) else None
        return value or None

    def put_default(self, key: str, value: str, expiry_hours: int | None = None) -> None:
        self._app.cache().segment().put(key, value, expiry_hours)

    def token_share(self) -> CacheTokenShare:
        return CacheTokenShare(self)

    # -- ids by name -------------------------------------------------------------------------

    def _folder_id(self) -> str:
        return self._lookup("folder", lambda: [
            (f.to_dict().get("folder_name"), f.to_dict().get("id"))
            for f in self._app.filestore().get_all_folders()
        ], FOLDER_NAME, "File Store folder")

    def _segment_id(self) -> str:
        return self._lookup("segment", lambda: [
            (s.to_dict().get("segment_name"), s.to_dict().get("id"))
            for s in self._app.cache().get_all_segment()
        ], SEGMENT_NAME, "Cache segment")

    def _lookup(self, kind: str, listing, name: str, label: str) -> str:
        with _ids_lock:
            if kind in _ids:
                return _ids[kind]
        for found, item_id in listing():
            if found == name and item_id:
                with _ids_lock:
                    _ids[kind] = str(item_id)
                return str(item_id)
        raise ConfigurationError(f"the {label} '{name}' does not exist in this project")


def forget_ids() -> None:
    """Drops the folder and segment ids this process looked up."""
    with _ids_lock:
        _ids.clear()


class CacheTokenShare:
    """Shares the Zoho token through `CRM_BULK_IMPORT_TOKEN` in the Default segment (1 hour)."""

    def __init__(self, store: CatalystStore) -> None:
        self._store = store

    def load(self) -> str | None:
        return self._store.get_default(TOKEN_KEY)

    def save(self, value: str) -> None:
        self._store.put_default(TOKEN_KEY, value, 1)


class MultipartFileBody:
    """A multipart/form-data body read from disk in chunks: `file_name`, then part `code`.

    It has a length, so the request carries Content-Length instead of chunked encoding, and no
    `read`: given one, urllib3 would pull the body in 16 KiB blocks; as an iterable it is sent in
    the 1 MiB chunks it yields (5,000 sends fewer for an 80 MiB upload).
    """

    chunk_size = 1024 * 1024

    def __init__(self, path: Path, name: str) -> None:
        self._path = path
        boundary = uuid.uuid4().hex
        self.content_type = f"multipart/form-data; boundary={boundary}"
        self._head = (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file_name"\r\n\r\n'
            f"{name}\r\n"
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="code"; filename=""\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        self._tail = f"\r\n--{boundary}--\r\n".encode()
        self._length = len(self._head) + os.path.getsize(path) + len(self._tail)

    def __len__(self) -> int:
        return self._length

    def __iter__(self):
        return self._generate()

    def _generate(self):
        yield self._head
        with open(self._path, "rb") as source:
            while chunk := source.read(self.chunk_size):
                yield chunk
        yield self._tail
