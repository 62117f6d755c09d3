"""Decide whether an upload is a CSV file by its content, whatever type the client declared.

curl declares `application/octet-stream` and Windows browsers `application/vnd.ms-excel` for a
.csv file, so the declared type proves nothing. The file passes when its start decodes as text in
the declared charset (UTF-8 by default) and holds a header row and at least one data row.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

_WINDOW = 1024 * 1024


class NotCsv(Exception):
    pass


def sniff_csv(path: Path, charset: str | None) -> tuple[list[str], str | None]:
    """Returns the header names and the encoding to record (None for UTF-8)."""
    encoding = _encoding(charset)
    with open(path, "rb") as source:
        head = source.read(_WINDOW)
        complete = not source.read(1)
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(head, complete)
    except UnicodeDecodeError:
        raise NotCsv("not text in its charset") from None
    text = text.removeprefix("\ufeff")
    if not complete:
        text = text[: text.rfind("\n") + 1]  # whole lines only

    rows = _non_blank_rows(text)
    header = next(rows, None)
    if header is None or not any(name.strip() for name in header):
        raise NotCsv("no header row")
    if next(rows, None) is None:
        raise NotCsv("no data row")
    return header, None if encoding == "utf-8" else encoding


def _non_blank_rows(text: str):
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            if any(row):
                yield row
    except csv.Error:
        raise NotCsv("not parseable as CSV") from None


def _encoding(charset: str | None) -> str:
    if not charset:
        return "utf-8"
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        raise NotCsv("unknown charset") from None
    # The splitter works on bytes: the charset must keep ASCII's bytes for commas, quotes and
    # line breaks (UTF-16 and the like do not).
    try:
        if 'a,"\r\n'.encode(name) != b'a,"\r\n':
            raise NotCsv("charset not ASCII-compatible")
    except UnicodeError:
        raise NotCsv("charset not ASCII-compatible") from None
    return "utf-8" if name in ("utf-8", "ascii") else name
