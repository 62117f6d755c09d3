"""Read the `POST /job` multipart body straight from the request stream, in one pass.

The file part is never held whole, in memory or on disk: the reader keeps only its first bytes
(enough to tell a CSV file apart) and hands the rest on as it arrives, so the caller can stream
it into File Store while the body is still coming in. Its size is checked while streaming. Text
fields are small and kept in memory (1 MB in all at most). Flask's own form parsing would spool
the file to disk and could not stop at the size limit or tell a second file apart as it reads,
so the body is decoded here with Werkzeug's incremental multipart decoder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from crm_import.config import size_label
from crm_import.errors import RequestError

UNABLE = "We're unable to process your request."
TOO_MANY_FILES = "'file' should contain a maximum of 1 files."
HEAD_BYTES = 1024 * 1024
_READ = 1024 * 1024
_FIELDS_MAX = 1024 * 1024
_PARTS_MAX = 50


@dataclass
class UploadedFile:
    filename: str
    mimetype: str
    charset: str | None
    size: int = 0
    # The file's first bytes: at least HEAD_BYTES of them unless `complete`.
    head: bytes = b""
    # True once `head` is the whole file.
    complete: bool = False


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    file: UploadedFile | None = None


class _Unprocessable(Exception):
    pass


class FormReader:
    """One pass over a `POST /job` body: fields, then the file as a stream, then the rest.

    Call `read_to_file`, then consume `file_chunks` (to store the file, or just to skip it),
    then `finish`. Every failure is a RequestError carrying the client's message.
    """

    def __init__(self, request, max_file_bytes: int) -> None:
        self.form = Form()
        self._max_file_bytes = max_file_bytes
        self._events: Iterator[tuple[bytes, bool]] | None = None
        self._in_file = False

        mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
        if mimetype == "application/json":
            _check_json(request)
        elif mimetype == "multipart/form-data":
            boundary = options.get("boundary")
            if not boundary:
                raise RequestError(400, UNABLE)
            self._events = self._file_data(request.stream, boundary.encode("latin-1"))

    def read_to_file(self) -> Form:
        """Reads fields until the file's head is in (or its part ends), or the body ends."""
        head = bytearray()
        while (item := self._next()) is not None:
            data, more = item
            head += data
            if not more or len(head) > HEAD_BYTES:
                upload = self.form.file
                upload.head, upload.complete = bytes(head), not more
                break
        return self.form

    def file_chunks(self) -> Iterator[bytes]:
        """The file's bytes, head first, as they arrive; empty when there is no file."""
        upload = self.form.file
        if upload is None:
            return
        if upload.head:
            yield upload.head
        while not upload.complete and (item := self._next()) is not None:
            data, more = item
            upload.complete = not more
            if data:
                yield data

    def finish(self) -> Form:
        """Reads the rest of the body (the file too, if not consumed) up to its end."""
        while self._next() is not None:
            pass
        return self.form

    def _next(self) -> tuple[bytes, bool] | None:
        # Stepped by hand, never delegated to: a consumer that stops early must not close the
        # decoding generator, which the next step goes on with.
        if self._events is None:
            return None
        try:
            return next(self._events, None)
        except RequestError:
            raise
        except Exception as exc:  # a malformed body, a disconnect, too many parts
            raise RequestError(400, UNABLE) from exc

    def _file_data(self, stream, boundary: bytes) -> Iterator[tuple[bytes, bool]]:
        """Decodes the whole body; yields (data, more_data) for the file part only."""
        decoder = MultipartDecoder(boundary, _READ * 2, max_parts=_PARTS_MAX)
        field_name: str | None = None
        field_value = bytearray()
        field_total = 0
        while True:
            chunk = stream.read(_READ)
            decoder.receive_data(chunk or None)
            while True:
                event = decoder.next_event()
                if isinstance(event, NeedData):
                    break
                if isinstance(event, Epilogue):
                    return
                if isinstance(event, Field):
                    field_name = event.name
                    field_value = bytearray()
                elif isinstance(event, File):
                    self._begin_file(event)
                    field_name = None
                elif isinstance(event, Data) and field_name is None:
                    self._count_file_bytes(len(event.data))
                    yield event.data, event.more_data
                elif isinstance(event, Data):
                    field_total += len(event.data)
                    if field_total > _FIELDS_MAX:
                        raise RequestError(400, UNABLE)
                    field_value += event.data
                    if not event.more_data:
                        self.form.fields.setdefault(field_name, field_value.decode("utf-8"))
            if not chunk:
                raise _Unprocessable("the body ended before its closing boundary")

    def _begin_file(self, event: File) -> None:
        if self.form.file is not None:
            raise RequestError(400, TOO_MANY_FILES)
        if event.name != "file":
            raise RequestError(400, UNABLE)
        ctype, params = parse_options_header(event.headers.get("Content-Type", ""))
        self.form.file = UploadedFile(event.filename, ctype, params.get("charset"))

    def _count_file_bytes(self, count: int) -> None:
        upload = self.form.file
        upload.size += count
        if upload.size > self._max_file_bytes:
            label = size_label(self._max_file_bytes)
            raise RequestError(400, f"'file' should be a maximum size of {label}.")


def _check_json(request) -> None:
    """A JSON body is no upload, but a malformed one is refused as a parse failure."""
    raw = request.stream.read(_FIELDS_MAX + 1)
    if len(raw) > _FIELDS_MAX:
        raise RequestError(400, UNABLE)
    if not raw.strip():
        return
    try:
        json.loads(raw)
    except ValueError:
        raise RequestError(400, UNABLE) from None
