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

from crm_import.errors import clipped

_WINDOW = 1024 * 1024
# The client wrote the charset: an answer repeats at most a charset name's length of it.
_CHARSET_SHOWN = 40
_NOT_ASCII = ("its declared charset {} does not write commas, quotes and line breaks as ASCII "
              "does (UTF-16 and the like), so it cannot be split")


class NotCsv(Exception):
    """Why the file is not taken for CSV, as a clause that completes "'file' should be a csv
    file: ..."."""


def sniff_csv(path: Path, charset: str | None) -> tuple[list[str], str | None]:
    """Returns the header names and the encoding to record (None for UTF-8)."""
    encoding = _encoding(charset)
    with open(path, "rb") as source:
        head = source.read(_WINDOW)
        complete = not source.read(1)
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(head, complete)
    except UnicodeDecodeError:
        if charset:
            shown = clipped(charset, _CHARSET_SHOWN)
            raise NotCsv(f"its start is not text in its declared charset {shown}") from None
        raise NotCsv("its start is not UTF-8 text (name its charset in the file part's "
                     "Content-Type, e.g. text/csv; charset=windows-1252)") from None
    text = text.removeprefix("\ufeff")
    if not complete:
        text = text[: text.rfind("\n") + 1]  # whole lines only

    rows = _non_blank_rows(text)
    header = next(rows, None)
    if header is None or not any(name.strip() for name in header):
        raise NotCsv("it has no header row")
    if next(rows, None) is None:
        raise NotCsv("it has a header row but no data row")
    return header, None if encoding == "utf-8" else encoding


def _non_blank_rows(text: str):
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            if any(row):
                yield row
    except csv.Error:
        raise NotCsv("its start does not parse as CSV") from None


def _encoding(charset: str | None) -> str:
    if not charset:
        return "utf-8"
    shown = clipped(charset, _CHARSET_SHOWN)
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        raise NotCsv(f"its declared charset {shown} is unknown") from None
    # The splitter works on bytes: the charset must keep ASCII's bytes for commas, quotes and
    # line breaks (UTF-16 and the like do not).
    try:
        if 'a,"\r\n'.encode(name) != b'a,"\r\n':
            raise NotCsv(_NOT_ASCII.format(shown))
    except UnicodeError:
        raise NotCsv(_NOT_ASCII.format(shown)) from None
    return "utf-8" if name in ("utf-8", "ascii") else name
