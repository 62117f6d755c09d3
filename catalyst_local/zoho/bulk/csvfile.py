"""Reads the one CSV of an uploaded ZIP the way bulk write does: RFC 4180 quoting (newlines
inside quotes included), the delimiter detected from the header line, and text decoded with the
job's character encoding (bytes that do not fit are garbled, never an error)."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DELIMITERS = (",", ";", ":", "|")
BOM = "\ufeff"


class NotOneCsv(Exception):
    """The ZIP does not hold exactly one CSV file."""


@dataclass
class CsvFile:
    name: str
    delimiter: str
    header: list[str]
    text: str

    def rows(self) -> Iterator[list[str]]:
        """Data rows after the header; blank lines are not records."""
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        next(reader, None)
        for row in reader:
            if row:
                yield row


def known_encoding(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def read_csv(path: Path, encoding: str | None, keep_bom: bool) -> CsvFile:
    with zipfile.ZipFile(path) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) != 1 or not members[0].filename.lower().endswith(".csv"):
            raise NotOneCsv()
        data = archive.read(members[0])
    if encoding:
        text = data.decode(encoding, errors="replace")
    else:
        # Zoho detects the encoding; here anything that is not UTF-8 is read as Latin-1, which
        # garbles other code pages the way a wrong guess does.
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    if text.startswith(BOM) and not keep_bom:
        text = text[1:]
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count) if first_line else ","
    if first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    name = members[0].filename.rsplit("/", 1)[-1]
    return CsvFile(name=name, delimiter=delimiter, header=header, text=text)
