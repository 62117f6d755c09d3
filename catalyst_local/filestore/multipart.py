"""The upload body the SDK sends, parsed as it streams in: the file part straight to disk.

The SDK posts two parts, a text field `file_name` and a file field `code` whose filename is the
empty string; either may come first. Other parts are read and ignored.
"""

from __future__ import annotations

from collections.abc import Callable

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from catalyst_local.filestore import errors
from catalyst_local.filestore.upload import PendingUpload

FILE_FIELD = "code"
NAME_FIELD = "file_name"
# Text fields are held in memory, so they get a cap; a file name needs nowhere near this.
MAX_TEXT_FIELD_BYTES = 64 * 1024


def boundary_of(content_type: str | None) -> bytes:
    """The boundary of a multipart/form-data Content-Type, or INVALID_INPUT."""
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise errors.NOT_MULTIPART()
    return boundary


class UploadForm:
    """Feeds body chunks through python-multipart's streaming parser.

    The `code` part goes into the PendingUpload that `open_upload` returns, opened when that
    part begins; `file_name` is collected in memory. Call `write` per chunk, then `finish`.
    """

    def __init__(self, boundary: bytes, open_upload: Callable[[], PendingUpload]):
        self._open_upload = open_upload
        self.upload: PendingUpload | None = None
        self._file_name: bytearray | None = None
        self._complete = False

        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[str, bytes] = {}
        self._sink: Callable[[memoryview], None] | None = None

        self._parser = MultipartParser(boundary, {
            "on_part_begin": self._on_part_begin,
            "on_header_field": lambda data, start, end: self._header_name.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self._header_value.extend(data[start:end]),
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
            "on_part_data": self._on_part_data,
            "on_end": self._on_end,
        })

    def write(self, chunk: bytes) -> None:
        try:
            self._parser.write(chunk)
        except MultipartParseError:
            raise errors.MALFORMED_MULTIPART() from None

    def finish(self) -> str:
        """The file name, once the body has ended; INVALID_INPUT naming a missing field."""
        if not self._complete:
            raise errors.MALFORMED_MULTIPART()
        if self.upload is None:
            raise errors.FIELD_MISSING(field=FILE_FIELD)
        if self._file_name is None:
            raise errors.FIELD_MISSING(field=NAME_FIELD)
        try:
            return self._file_name.decode("utf-8")
        except UnicodeDecodeError:
            raise errors.FILE_NAME_REQUIRED() from None

    def abort(self) -> None:
        if self.upload is not None:
            self.upload.abort()

    def _on_part_begin(self) -> None:
        self._headers = {}
        self._sink = None

    def _on_header_end(self) -> None:
        self._headers[self._header_name.decode("latin-1").strip().lower()] = bytes(
            self._header_value).strip()
        self._header_name.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        disposition, options = parse_options_header(self._headers.get("content-disposition"))
        if disposition != b"form-data" or b"name" not in options:
            raise errors.MALFORMED_MULTIPART()
        name = options[b"name"].decode("latin-1")
        if name == FILE_FIELD:
            if self.upload is not None:
                raise errors.FIELD_REPEATED(field=FILE_FIELD)
            self.upload = self._open_upload()
            self._sink = self.upload.write
        elif name == NAME_FIELD:
            if self._file_name is not None:
                raise errors.FIELD_REPEATED(field=NAME_FIELD)
            self._file_name = bytearray()
            self._sink = self._collect_file_name

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._sink is not None:
            # A view, not a slice: file chunks go to disk without another copy.
            self._sink(memoryview(data)[start:end])

    def _collect_file_name(self, data: memoryview) -> None:
        assert self._file_name is not None
        if len(self._file_name) + len(data) > MAX_TEXT_FIELD_BYTES:
            raise errors.FIELD_TOO_LONG(field=NAME_FIELD, limit=MAX_TEXT_FIELD_BYTES)
        self._file_name.extend(data)

    def _on_end(self) -> None:
        self._complete = True
