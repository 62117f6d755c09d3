"""Streams a `multipart/form-data` upload's `file` part to disk without holding it in memory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from python_multipart.exceptions import FormParserError, MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request


class MalformedUpload(Exception):
    """The body is not multipart/form-data with a boundary and exactly one `file` part."""


class UploadTooLarge(Exception):
    """The `file` part is larger than the limit."""


@dataclass
class Received:
    filename: str
    size: int


async def receive_file(request: Request, destination: Path, limit: int) -> Received:
    """Writes the part named `file` to `destination`, refusing it once it passes `limit` bytes.

    Past the limit the rest of the body is still read (up to twice the limit) and thrown away,
    so the client gets the answer instead of a reset connection.
    """
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise MalformedUpload()

    state = _PartState(destination, limit)
    try:
        parser = MultipartParser(boundary, callbacks=state.callbacks())
    except (FormParserError, ValueError):
        raise MalformedUpload() from None
    seen = 0
    try:
        async for chunk in request.stream():
            seen += len(chunk)
            if state.too_large:
                if seen > 2 * limit:
                    break
                continue
            parser.write(chunk)
    except (MultipartParseError, FormParserError):
        raise MalformedUpload() from None
    finally:
        state.close()
    if state.too_large:
        raise UploadTooLarge()
    if not state.ended or state.files != 1:
        raise MalformedUpload()
    return Received(state.filename, state.size)


class _PartState:
    def __init__(self, destination: Path, limit: int):
        self.destination, self.limit = destination, limit
        self.files, self.size, self.filename = 0, 0, ""
        self.ended = self.too_large = False
        self._handle: BinaryIO | None = None
        self._field = self._value = b""
        self._headers: dict[bytes, bytes] = {}

    def callbacks(self) -> dict:
        return {"on_part_begin": self._part_begin, "on_header_field": self._header_field,
                "on_header_value": self._header_value, "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished, "on_part_data": self._data,
                "on_part_end": self.close, "on_end": self._end}

    def _part_begin(self) -> None:
        self._headers = {}

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        if params.get(b"name") != b"file":
            return
        self.files += 1
        if self.files == 1:
            self.filename = params.get(b"filename", b"").decode("utf-8", "replace")
            self._handle = open(self.destination, "wb")  # noqa: SIM115 closed in close()

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._handle is None:
            return
        self.size += end - start
        if self.size > self.limit:
            self.too_large = True
            self.close()
            return
        self._handle.write(data[start:end])

    def _end(self) -> None:
        self.ended = True

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
