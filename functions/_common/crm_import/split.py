"""Split a CSV file into bulk write batches, streaming and without ever holding the file.

Record boundaries follow RFC 4180: a line feed ends a record unless it sits inside a quoted
field, so quoted commas, doubled quotes and quoted line breaks survive. The bytes of each record
are copied unchanged, line ending included (CRLF or LF, per record); only a leading UTF-8 BOM and
rows whose cells are all empty are left out. The header row is repeated at the top of every
batch. A batch closes at `max_rows` data rows or before it would pass `max_bytes`, so the same
input always gives the same batches.

No batch is written out: a `Batch` lists the byte ranges of the source it is made of, and the
zipper reads them back (see `zipping`). Speed comes from working on large blocks in C: a block
whose records are all plainly valid is checked as a whole on its skeleton (its commas, quotes and
line breaks, everything else dropped) and taken as one range; only a block that holds a batch
boundary, a possibly blank row or an error is cut into records and looked at record by record.
"""

from __future__ import annotations

import codecs
import csv
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate, compress, count, repeat
from operator import sub
from typing import BinaryIO

from crm_import.config import BATCH_MAX_BYTES, BATCH_MAX_ROWS, MAX_BATCHES, MAX_COLUMNS
from crm_import.errors import CsvRejected

# Small enough that the few blocks holding a batch boundary (taken record by record) are a small
# share of the file, large enough that the per-block calls cost next to nothing.
BLOCK_SIZE = 256 * 1024
_BOM = b"\xef\xbb\xbf"
# Every byte but the ones that shape a record: what `translate` drops to make a skeleton.
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b',"\r\n')
# A row can only be blank (every cell empty) if it starts with one of these; a block holding
# such a line start goes the record-by-record way, which decides.
_MAYBE_BLANK = re.compile(rb'\n(?:[,\r\n]|"[",\r])')
_MAYBE_BLANK_AT_START = re.compile(rb'(?:[,\r\n]|"[",\r])')


@dataclass(frozen=True)
class Batch:
    """One batch: the header row, then the source bytes in `ranges` (`(start, end)` offsets).

    `index` counts from 1, `name` is the CSV's file name (`<base>_<n>.csv`), `rows` excludes the
    header, `size` is the batch's length in bytes, header included.
    """

    index: int
    name: str
    rows: int
    size: int
    header: bytes
    ranges: tuple[tuple[int, int], ...]

    def pieces(self, read_at, chunk_size: int) -> Iterator[bytes]:
        """The batch's bytes in order, at most `chunk_size` at a time.

        `read_at(size, offset)` reads from the source, like `os.pread` on its descriptor.
        """
        yield self.header
        for start, end in self.ranges:
            while start < end:
                piece = read_at(min(chunk_size, end - start), start)
                if not piece:
                    raise OSError("the source file is shorter than when it was split")
                start += len(piece)
                yield piece


class CsvSplitter:
    """Splits one CSV stream (read from its start) into batches named `<base>_<n>.csv`.

    Iterate over `batches()` to run it; each batch is yielded as soon as it is complete.
    Afterwards `header_names` and `total_rows` describe the file. Any rule the file breaks
    raises `CsvRejected` with the line it was found on (lines count from 1).
    """

    def __init__(
        self,
        source: BinaryIO,
        base: str,
        *,
        max_rows: int = BATCH_MAX_ROWS,
        max_bytes: int = BATCH_MAX_BYTES,
        max_columns: int = MAX_COLUMNS,
        max_batches: int = MAX_BATCHES,
        encoding: str = "utf-8",
        block_size: int = BLOCK_SIZE,
    ) -> None:
        self._source = source
        self._encoding = encoding
        self._block_size = block_size
        self._max_columns = max_columns
        self._writer = _BatchWriter(base, max_rows, max_bytes, max_batches)
        self._commas = -1  # commas per record, known once the header is read
        self._row_shape = b""  # a valid record's skeleton outside quotes: its commas, a LF
        self.header_names: list[str] = []
        self.total_rows = 0

    def batches(self) -> Iterator[Batch]:
        decoder = codecs.getincrementaldecoder(self._encoding)()
        ascii_is_valid = self._encoding.replace("-", "").lower() == "utf8"
        carry = b""
        carry_line = 1
        offset = 0  # where `carry` starts in the source
        first = True

        while True:
            block = self._source.read(self._block_size)
            final = not block
            if first:
                first = False
                if block.startswith(_BOM) and ascii_is_valid:
                    block = block[len(_BOM):]
                    offset = len(_BOM)
            # ASCII is valid UTF-8, unless the block continues a character the last one began.
            if not (ascii_is_valid and block.isascii() and not decoder.getstate()[0]):
                self._check_encoding(decoder, block, final, carry_line - 1 + carry.count(b"\n"))

            data = carry + block if carry else block
            taken, lines = (0, 0) if final else self._take_whole(data, offset)
            if taken:
                yield from self._writer.finish_if_full()
                carry = data[taken:]
                carry_line += lines
                offset += taken
                if len(carry) > self._writer.max_bytes:
                    raise CsvRejected(
                        f"line {carry_line} starts a record larger than the batch byte budget"
                    )
                continue

            records, carry, next_line, open_last = _cut(data, carry_line, final)
            if len(carry) > self._writer.max_bytes:
                raise CsvRejected(
                    f"line {next_line} starts a record larger than the batch byte budget"
                )
            if records:
                yield from self._take(records, carry_line, open_last, offset)
            offset += len(data) - len(carry)
            carry_line = next_line
            if final:
                break

        if self._commas < 0:
            raise CsvRejected("the file is empty: it has no header row")
        if self.total_rows == 0:
            raise CsvRejected("the file has a header row but no data rows")
        yield from self._writer.finish()

    def _take_whole(self, data: bytes, offset: int) -> tuple[int, int]:
        """Takes the complete records of `data` into the open batch in one go, when that is
        certainly what the record-by-record way would do.

        That needs: the header known, every record with the header's field count and at most a
        CRLF line ending, no row that could be blank, and room for all of them in the open
        batch. Returns the bytes taken and the line feeds among them; (0, 0) when it took none.
        """
        if self._commas < 0:
            return 0, 0
        # Only commas, quotes and line breaks shape records; the skeleton keeps just those.
        skeleton = data.translate(None, _NOT_STRUCTURE)
        found = _last_record_end(data, skeleton)
        if found is None:
            return 0, 0
        end, skeleton_end = found
        writer = self._writer
        if writer.size_after(end) > writer.max_bytes:
            return 0, 0
        if _MAYBE_BLANK_AT_START.match(data) or _MAYBE_BLANK.search(data, 0, end):
            return 0, 0

        # Outside quotes a valid record reads: the header's number of commas, then a LF.
        skeleton = skeleton[:skeleton_end]
        outside = b"".join(skeleton.split(b'"')[0::2])
        if b"\r" in outside:
            outside = outside.replace(b"\r\n", b"\n")
            if b"\r" in outside:
                return 0, 0
        rows = len(outside) // len(self._row_shape)
        if writer.rows_after(rows) > writer.max_rows or outside != self._row_shape * rows:
            return 0, 0
        writer.add_range(offset, offset + end, rows)
        self.total_rows += rows
        return end, skeleton.count(b"\n")

    def _check_encoding(self, decoder, block: bytes, final: bool, newlines_before: int) -> None:
        try:
            decoder.decode(block, final)
        except UnicodeDecodeError as exc:
            if block and exc.start <= len(block):
                line = newlines_before + block.count(b"\n", 0, max(exc.start, 0)) + 1
                raise CsvRejected(f"line {line} is not valid {self._encoding}") from None
            raise CsvRejected(f"the file ends inside a {self._encoding} character") from None

    def _take(
        self, records: list[bytes], first_line: int, open_last: bool, offset: int
    ) -> Iterator[Batch]:
        """Takes complete records (the first starts at `offset` in the source) one by one."""
        if self._commas < 0:
            before = records
            records, first_line = self._read_header(records, first_line, open_last)
            if not records:
                return
            consumed = len(before) - len(records)
            offset += sum(map(len, before[:consumed])) + consumed
        kept, positions = self._classify(records, first_line, open_last)
        if not kept:
            return
        self.total_rows += len(kept)
        open_last = open_last and positions[-1] == len(records) - 1
        starts = list(accumulate(map((1).__add__, map(len, records[:-1])), initial=offset))
        if len(kept) != len(records):
            starts = [starts[p] for p in positions]
        try:
            yield from self._writer.add(kept, starts, open_last)
        except _RecordTooLarge as exc:
            line = _line_of(records, positions[exc.position], first_line)
            raise CsvRejected(
                f"line {line} holds a record larger than the batch byte budget"
            ) from None

    def _read_header(
        self, records: list[bytes], first_line: int, open_last: bool
    ) -> tuple[list[bytes], int]:
        for r, rec in enumerate(records):
            last = open_last and r == len(records) - 1
            commas, blank = _inspect(rec, last)
            if commas < 0:
                raise CsvRejected(_bare_cr(_line_of(records, r, first_line)))
            if blank:
                continue
            line = _line_of(records, r, first_line)
            if last:
                raise CsvRejected("the file has a header row but no data rows")
            text = rec.decode(self._encoding)
            names = next(csv.reader([text]), [])
            if len(names) != commas + 1:
                raise CsvRejected(f"line {line}: the header row has a malformed quoted field")
            if len(names) > self._max_columns:
                raise CsvRejected(
                    f"the header row has {len(names)} columns; the limit is {self._max_columns}"
                )
            self.header_names = names
            self._commas = commas
            self._writer.header = rec + b"\n"
            self._row_shape = b"," * commas + b"\n"
            rest = records[r + 1:]
            return rest, line + rec.count(b"\n") + 1
        return [], first_line

    def _classify(
        self, records: list[bytes], first_line: int, open_last: bool
    ) -> tuple[list[bytes], list[int] | range]:
        """Drops blank rows, checks line endings and field counts.

        Returns the rows kept and their positions in `records`. The common case (no blank row,
        no error) is decided on whole lists; anything else goes through `_classify_slow`.
        """
        views = records
        quoted: list[int] = []
        if any(map(bytes.__contains__, records, repeat(b'"'))):
            # A quoted record is judged by what lies outside its quotes.
            quoted = list(compress(count(), map(bytes.__contains__, records, repeat(b'"'))))
            views = records.copy()
            for i in quoted:
                rec = records[i]
                if not rec.strip(b',"\r'):
                    return self._classify_slow(records, first_line, open_last)
                views[i] = b"".join(rec.split(b'"')[0::2])

        ends = list(map(bytes.endswith, views, repeat(b"\r")))
        if sum(map(bytes.count, views, repeat(b"\r"))) != sum(ends) or (open_last and ends[-1]):
            return self._classify_slow(records, first_line, open_last)
        commas = list(map(bytes.count, views, repeat(b",")))
        if commas.count(self._commas) != len(commas):
            return self._classify_slow(records, first_line, open_last)
        # Characters other than commas and the final CR: none means every cell is empty.
        content = list(map(sub, map(sub, map(len, views), commas), ends))
        for i in quoted:
            content[i] = 1
        if min(content) == 0:
            return self._classify_slow(records, first_line, open_last)
        return records, range(len(records))

    def _classify_slow(
        self, records: list[bytes], first_line: int, open_last: bool
    ) -> tuple[list[bytes], list[int]]:
        kept = []
        positions = []
        last_index = len(records) - 1
        for r, rec in enumerate(records):
            commas, blank = _inspect(rec, open_last and r == last_index)
            if commas < 0:
                raise CsvRejected(_bare_cr(_line_of(records, r, first_line)))
            if blank:
                continue
            if commas != self._commas:
                line = _line_of(records, r, first_line)
                raise CsvRejected(
                    f"line {line} has {commas + 1} fields; the header row has {self._commas + 1}"
                )
            kept.append(rec)
            positions.append(r)
        return kept, positions


def validate_header(names: list[str]) -> None:
    """Refuses a header row that cannot name fields: all empty, or a name used twice."""
    stripped = [name.strip() for name in names]
    if not any(stripped):
        raise CsvRejected("the header row is empty")
    seen: set[str] = set()
    for position, name in enumerate(stripped, start=1):
        if not name:
            continue
        if name in seen:
            raise CsvRejected(f"column {position} repeats the header name of an earlier column")
        seen.add(name)


class _RecordTooLarge(Exception):
    def __init__(self, position: int) -> None:
        self.position = position


class _BatchWriter:
    """Fills batches greedily: a record joins the open batch if it fits, else starts the next."""

    def __init__(self, base: str, max_rows: int, max_bytes: int, max_batches: int) -> None:
        self.base = base
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.max_batches = max_batches
        self.header = b""
        self._open_batch = False
        self._ranges: list[tuple[int, int]] = []
        self._index = 0
        self._rows = 0
        self._size = 0

    def size_after(self, extra: int) -> int:
        """The open batch's size with `extra` more bytes (a new batch's, if none is open)."""
        return (self._size if self._open_batch else len(self.header)) + extra

    def rows_after(self, extra: int) -> int:
        return (self._rows if self._open_batch else 0) + extra

    def add_range(self, start: int, end: int, rows: int) -> None:
        """Takes `rows` whole records, source bytes `start` to `end`; the caller checked the
        open batch has room for them."""
        if not self._open_batch:
            self._open()
        self._extend(start, end)
        self._rows += rows
        self._size += end - start

    def finish_if_full(self) -> Iterator[Batch]:
        if self._open_batch and self._rows == self.max_rows:
            yield self._close()

    def add(self, records: list[bytes], starts: list[int], open_last: bool) -> Iterator[Batch]:
        """Takes records (each without its final line feed; `starts` are their offsets in the
        source) into as many batches as needed."""
        cum = list(accumulate(map((1).__add__, map(len, records))))
        if open_last:
            cum[-1] -= 1
        count = len(records)
        done = 0
        base = 0
        while done < count:
            if not self._open_batch:
                self._open()
            room = self.max_bytes - self._size
            last = min(count, done + self.max_rows - self._rows)
            stop = bisect_right(cum, base + room, done, last)
            if stop == done:
                if self._rows == 0:
                    raise _RecordTooLarge(done)
                yield self._close()
                continue
            self._add_records(records, starts, cum, base, done, stop)
            self._rows += stop - done
            self._size += cum[stop - 1] - base
            base = cum[stop - 1]
            done = stop
            if self._rows == self.max_rows:
                yield self._close()

    def _add_records(self, records: list[bytes], starts: list[int], cum: list[int], base: int,
                     done: int, stop: int) -> None:
        """Adds records `done` to `stop` as source ranges, each with its line feed if any."""
        between = (cum[stop - 2] if stop - 1 > done else base) - base
        if starts[stop - 1] - starts[done] == between:
            self._extend(starts[done], starts[done] + cum[stop - 1] - base)
            return
        # Blank rows dropped in between: one range per record.
        previous = base
        for i in range(done, stop):
            self._extend(starts[i], starts[i] + cum[i] - previous)
            previous = cum[i]

    def _extend(self, start: int, end: int) -> None:
        if start >= end:
            return
        if self._ranges and self._ranges[-1][1] == start:
            self._ranges[-1] = (self._ranges[-1][0], end)
        else:
            self._ranges.append((start, end))

    def finish(self) -> Iterator[Batch]:
        if self._open_batch:
            yield self._close()

    def _open(self) -> None:
        if self._index == self.max_batches:
            raise CsvRejected(
                f"the file needs more than {self.max_batches} batches; split it into smaller files"
            )
        if len(self.header) >= self.max_bytes:
            raise CsvRejected("the header row alone is larger than the batch byte budget")
        self._index += 1
        self._open_batch = True
        self._ranges = []
        self._rows = 0
        self._size = len(self.header)

    def _close(self) -> Batch:
        self._open_batch = False
        return Batch(self._index, f"{self.base}_{self._index}.csv", self._rows, self._size,
                     self.header, tuple(self._ranges))


def _cut(data: bytes, first_line: int, final: bool) -> tuple[list[bytes], bytes, int, bool]:
    """Cuts `data` at record ends.

    Returns the complete records (without their final line feed), the bytes left over for the
    next block, the line number those bytes start on, and whether the last record returned has no
    line feed at all (the end of a file without a final newline).
    """
    lines = data.split(b"\n")
    tail = lines.pop()
    if final and tail:
        lines.append(tail)
        tail = b""

    if b'"' not in data:
        return lines, tail, first_line + len(lines), final and bool(lines) and not data.endswith(
            b"\n"
        )

    quotes = list(map(bytes.count, lines, repeat(b'"')))
    odd = list(compress(count(), map((1).__and__, quotes)))
    records: list[bytes] = []
    start = 0
    for pair in range(0, len(odd) - 1, 2):
        opened, closed = odd[pair], odd[pair + 1]
        records.extend(lines[start:opened])
        records.append(b"\n".join(lines[opened:closed + 1]))
        start = closed + 1

    if len(odd) % 2:
        opened = odd[-1]
        records.extend(lines[start:opened])
        if final:
            line = first_line + opened
            raise CsvRejected(f"line {line} opens a quoted field that is never closed")
        rest = b"\n".join(lines[opened:]) + b"\n" + tail
        return records, rest, first_line + opened, False

    records.extend(lines[start:])
    open_last = final and bool(records) and not data.endswith(b"\n")
    return records, tail, first_line + len(lines), open_last


def _inspect(rec: bytes, no_line_end: bool) -> tuple[int, bool]:
    """Returns (commas outside quotes, all cells empty); commas is -1 for a bare CR."""
    if b'"' in rec:
        parts = rec.split(b'"')
        outside = b"".join(parts[0::2])
    else:
        outside = rec
    crs = outside.count(b"\r")
    if crs and (crs > 1 or no_line_end or not outside.endswith(b"\r")):
        return -1, False
    commas = outside.count(b",")
    if outside is rec:
        return commas, len(rec) - commas - crs == 0
    if rec.strip(b',"\r'):
        return commas, False
    # Only commas and quotes: blank unless a cell holds an escaped quote (`""""`).
    row = next(csv.reader([rec.rstrip(b"\r").decode("ascii")]), [])
    return commas, not any(row)


def _line_of(records: list[bytes], position: int, first_line: int) -> int:
    return first_line + position + sum(rec.count(b"\n") for rec in records[:position])


def _bare_cr(line: int) -> str:
    return (
        f"line {line} has a carriage return (CR) that is not followed by a line feed;"
        " only CRLF and LF line endings are supported"
    )


def _last_record_end(data: bytes, skeleton: bytes) -> tuple[int, int] | None:
    """Where the last complete record of `data` ends (just past its line feed), in `data` and
    in its skeleton; None when that is not found quickly. `data` starts at a record's start."""
    end = skeleton.rfind(b"\n")
    quotes = skeleton.count(b'"', 0, end)
    later_line_feeds = 0
    # A line feed ends a record when an even number of quotes comes before it.
    while quotes & 1:
        if end < 0 or later_line_feeds == 64:
            return None
        previous = skeleton.rfind(b"\n", 0, end)
        quotes -= skeleton.count(b'"', previous + 1, end)
        end = previous
        later_line_feeds += 1
    if end < 0:
        return None
    position = len(data)
    for _ in range(later_line_feeds + 1):
        position = data.rfind(b"\n", 0, position)
    return position + 1, end + 1
