"""Read the `POST /job` multipart body straight from the request stream.

The file part goes to a temp file as it arrives, and its size is checked while streaming, so the
upload is never held in memory. Text fields are small and kept in memory (1 MB in all at most).
Flask's own form parsing would also spool large files to disk, but it cannot stop at the size
limit or tell a second file apart as it reads, so the body is decoded here with Werkzeug's
incremental multipart decoder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from crm_import.config import size_label
from crm_import.errors import RequestError, clipped

UNABLE = "We're unable to process your request."
TOO_MANY_FILES = "'file' should contain a maximum of 1 files."
FIELDS_TOO_LONG = "is too long: the form's text fields may hold 1 MB in all"
# Werkzeug's decoder slows down several times over with reads of 1 MiB or more; 256 KiB
# reads decode at full speed.
_READ = 256 * 1024
_FIELDS_MAX = 1024 * 1024
_PARTS_MAX = 50
TOO_MANY_PARTS = f"The form has more than {_PARTS_MAX} parts."


@dataclass
class UploadedFile:
    path: Path
    filename: str
    mimetype: str
    charset: str | None
    size: int = 0


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    file: UploadedFile | None = None


class _Unprocessable(Exception):
    pass


def read_form(request, temp_dir: Path, max_file_bytes: int) -> Form:
    """Parses the request body into text fields and at most one file, named `file`."""
    mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
    if mimetype == "application/json":
        _check_json(request)
        return Form()
    if mimetype != "multipart/form-data":
        return Form()
    boundary = options.get("boundary")
    if not boundary:
        raise RequestError(400, UNABLE)
    try:
        return _decode(request.stream, boundary.encode("latin-1"), temp_dir, max_file_bytes)
    except RequestError:
        raise
    except Exception as exc:  # a malformed body, a disconnect, too many parts
        raise RequestError(400, UNABLE) from exc


def _decode(stream, boundary: bytes, temp_dir: Path, max_file_bytes: int) -> Form:
    # Parts are counted here, not by the decoder, so the answer can say what went wrong.
    decoder = MultipartDecoder(boundary, _READ * 2)
    parts = 0
    form = Form()
    field_name: str | None = None
    field_value = bytearray()
    field_total = 0
    out = None
    try:
        while True:
            chunk = stream.read(_READ)
            decoder.receive_data(chunk or None)
            while True:
                event = decoder.next_event()
                if isinstance(event, NeedData):
                    break
                if isinstance(event, Epilogue):
                    return form
                if isinstance(event, (Field, File)):
                    parts += 1
                    if parts > _PARTS_MAX:
                        raise RequestError(400, TOO_MANY_PARTS)
                if isinstance(event, Field):
                    field_name = event.name
                    field_value = bytearray()
                elif isinstance(event, File):
                    if form.file is not None:
                        raise RequestError(400, TOO_MANY_FILES)
                    if event.name != "file":
                        raise RequestError(400, _named(event.name, "is not a field of this "
                                                       "form: send the CSV file as 'file'"))
                    ctype, params = parse_options_header(event.headers.get("Content-Type", ""))
                    form.file = UploadedFile(
                        temp_dir / "upload", event.filename, ctype, params.get("charset")
                    )
                    field_name = None
                    out = open(form.file.path, "wb")  # noqa: SIM115 (closed below)
                elif isinstance(event, Data):
                    if field_name is None:
                        form.file.size += len(event.data)
                        if form.file.size > max_file_bytes:
                            label = size_label(max_file_bytes)
                            raise RequestError(400, f"'file' should be a maximum size of {label}.")
                        out.write(event.data)
                        if not event.more_data:
                            out.close()
                    else:
                        field_total += len(event.data)
                        if field_total > _FIELDS_MAX:
                            raise RequestError(400, _named(field_name, FIELDS_TOO_LONG))
                        field_value += event.data
                        if not event.more_data:
                            form.fields.setdefault(field_name, _text(field_name, field_value))
            if not chunk:
                raise _Unprocessable("the body ended before its closing boundary")
    finally:
        if out is not None:
            out.close()


def _named(name: str, problem: str) -> str:
    return f"'{clipped(name, 60)}' {problem}."


def _text(name: str, value: bytearray) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestError(400, _named(name, "is not UTF-8 text")) from None


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
