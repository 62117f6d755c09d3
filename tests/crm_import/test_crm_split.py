import io
import os
import random

import pytest
from crm_import.errors import CsvRejected
from crm_import.split import CsvSplitter, validate_header


def contents(batches, source) -> list[tuple[int, bytes]]:
    """Each batch's rows and bytes, read back from the source in small pieces."""
    def read_at(size, offset):
        return os.pread(source.fileno(), size, offset)

    return [(b.rows, b"".join(b.pieces(read_at, 7))) for b in batches]


def split(data: bytes, tmp_path, **limits):
    path = tmp_path / "source.csv"
    path.write_bytes(data)
    with open(path, "rb") as source:
        splitter = CsvSplitter(source, "leads", **limits)
        batches = list(splitter.batches())
        return splitter, contents(batches, source), batches


def rejected(data: bytes, tmp_path, **limits) -> str:
    with pytest.raises(CsvRejected) as caught:
        split(data, tmp_path, **limits)
    return str(caught.value)


def test_quoted_newlines_commas_and_doubled_quotes_stay_in_one_record(tmp_path):
    data = b'a,b\n"line1\nline2","x, ""y"""\n3,4\n'
    splitter, batches, _ = split(data, tmp_path, max_rows=1)
    assert batches == [
        (1, b'a,b\n"line1\nline2","x, ""y"""\n'),
        (1, b"a,b\n3,4\n"),
    ]
    assert splitter.total_rows == 2
    assert splitter.header_names == ["a", "b"]


def test_bom_is_removed_and_header_repeated(tmp_path):
    _, batches, _ = split(b"\xef\xbb\xbfName,Email\nx,y\nz,w\n", tmp_path, max_rows=1)
    assert batches == [(1, b"Name,Email\nx,y\n"), (1, b"Name,Email\nz,w\n")]


def test_each_record_keeps_its_own_line_ending(tmp_path):
    data = b"a,b\r\n1,2\n3,4\r\n5,6"
    _, batches, _ = split(data, tmp_path)
    assert batches == [(3, data)]


def test_batch_files_are_named_after_the_base(tmp_path):
    _, _, batches = split(b"a\nx\ny\n", tmp_path, max_rows=1)
    assert [b.name for b in batches] == ["leads_1.csv", "leads_2.csv"]
    assert [b.index for b in batches] == [1, 2]


@pytest.mark.parametrize(("rows", "expected"), [(25_000, [25_000]), (25_001, [25_000, 1])])
def test_at_most_25000_rows_per_batch(tmp_path, rows, expected):
    data = b"id,name\n" + b"".join(b"%d,n%d\n" % (i, i) for i in range(rows))
    splitter, batches, _ = split(data, tmp_path, block_size=64 * 1024)
    assert [count for count, _ in batches] == expected
    assert splitter.total_rows == rows
    assert all(body.startswith(b"id,name\n") for _, body in batches)


def test_wide_rows_force_a_byte_split(tmp_path):
    row = b"x" * 90 + b",y\n"  # 93 bytes
    data = b"a,b\n" + row * 5
    _, batches, raw = split(data, tmp_path, max_bytes=4 + 93 * 2)
    assert [count for count, _ in batches] == [2, 2, 1]
    assert all(b.size <= 4 + 93 * 2 for b in raw)
    assert [b.size for b in raw] == [len(body) for _, body in batches]


def test_a_record_larger_than_the_budget_is_refused(tmp_path):
    message = rejected(b"a,b\n1,2\n" + b"x" * 50 + b",y\n", tmp_path, max_bytes=30)
    assert message == "line 3 holds a record larger than the batch byte budget"


def test_header_only_is_refused(tmp_path):
    assert rejected(b"a,b\n", tmp_path) == "the file has a header row but no data rows"
    assert rejected(b"a,b", tmp_path) == "the file has a header row but no data rows"
    assert rejected(b"a,b\n\n,\n", tmp_path) == "the file has a header row but no data rows"


def test_empty_file_is_refused(tmp_path):
    assert rejected(b"", tmp_path) == "the file is empty: it has no header row"
    assert rejected(b"\n\r\n", tmp_path) == "the file is empty: it has no header row"


def test_ragged_rows_are_refused_with_their_line(tmp_path):
    assert rejected(b"a,b,c\n1,2,3\n1,2\n", tmp_path) == (
        "line 3 has 2 fields; the header row has 3"
    )
    assert rejected(b'a,b\n"x\ny",2\n"1,2",3,4\n', tmp_path) == (
        "line 4 has 3 fields; the header row has 2"
    )


def test_unclosed_quote_is_refused(tmp_path):
    message = rejected(b'a,b\n1,2\n"open,3\n4,5\n', tmp_path)
    assert message == "line 3 opens a quoted field that is never closed"


@pytest.mark.parametrize("data", [b"a,b\r1,2\r", b"a,b\n1,2\r3,4\n", b"a,b\n1,2\r"])
def test_bare_cr_is_refused(tmp_path, data):
    message = rejected(data, tmp_path)
    assert message.startswith("line ")
    assert "carriage return (CR) that is not followed by a line feed" in message


def test_cr_inside_quotes_is_data(tmp_path):
    data = b'a,b\n"x\ry",2\n'
    _, batches, _ = split(data, tmp_path)
    assert batches == [(1, data)]


def test_blank_rows_are_skipped_and_not_counted(tmp_path):
    data = b'\n\na,b\n1,2\n\n,\n"",""\r\n3,4\n\n'
    splitter, batches, _ = split(data, tmp_path)
    assert batches == [(2, b"a,b\n1,2\n3,4\n")]
    assert splitter.total_rows == 2


def test_an_escaped_quote_alone_is_not_blank(tmp_path):
    data = b'a\n""""\n'
    _, batches, _ = split(data, tmp_path)
    assert batches == [(1, data)]


def test_more_than_200_columns_is_refused(tmp_path):
    header = ",".join(f"c{i}" for i in range(201)).encode()
    assert rejected(header + b"\n" + b"," * 200 + b"x\n", tmp_path) == (
        "the header row has 201 columns; the limit is 200"
    )


def test_invalid_utf8_is_refused_with_its_line(tmp_path):
    assert rejected(b"a,b\n1,2\n\xff,3\n", tmp_path) == "line 3 is not valid utf-8"


def test_another_declared_encoding_is_read_as_such(tmp_path):
    data = "a,b\nCafé,1\n".encode("cp1252")
    _, batches, _ = split(data, tmp_path, encoding="cp1252")
    assert batches == [(1, data)]


def test_too_many_batches_is_refused(tmp_path):
    message = rejected(b"a\n1\n2\n3\n", tmp_path, max_rows=1, max_batches=2)
    assert message == "the file needs more than 2 batches; split it into smaller files"


def test_header_checks():
    validate_header(["a", "b", ""])
    with pytest.raises(CsvRejected, match="^the header row is empty$"):
        validate_header(["", " "])
    repeated = "^column 3 repeats the header name of an earlier column$"
    with pytest.raises(CsvRejected, match=repeated):
        validate_header(["Email", "Name", "Email"])


# -- property check: rejoining the batches gives the input back --------------------------------

def _nasty_field(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.3:
        return rng.choice(["", "plain", "123", "ünï", "日本"])
    if kind < 0.6:
        inner = "".join(rng.choice(['a', ',', '""', '\n', '\r\n', ' ', 'é', '\r']) for _ in
                        range(rng.randint(0, 8)))
        return f'"{inner}"'
    return "".join(rng.choice("abc xyz-_.;:") for _ in range(rng.randint(1, 12)))


def _nasty_csv(rng: random.Random, columns: int, rows: int) -> tuple[bytes, bytes]:
    """Returns (file bytes, expected rejoined bytes)."""
    ending = lambda: rng.choice(["\n", "\r\n"])  # noqa: E731
    header = ",".join(f"h{i}" for i in range(columns)) + ending()
    body, expected = [header], [header]
    for _ in range(rows):
        if rng.random() < 0.1:
            blank = rng.choice(["", ",".join([""] * columns), ",".join(['""'] * columns)])
            body.append(blank + ending())
            continue
        fields = [_nasty_field(rng) for _ in range(columns)]
        record = ",".join(fields) + ending()
        body.append(record)
        if any(field not in ("", '""') for field in fields):
            expected.append(record)
    last_newline = rng.random() < 0.7
    text, wanted = "".join(body), "".join(expected)
    if not last_newline and text.endswith(expected[-1]) and len(expected) > 1:
        cut = len(expected[-1]) - len(expected[-1].rstrip("\r\n"))
        text, wanted = text[:-cut], wanted[:-cut]
    bom = "\ufeff" if rng.random() < 0.3 else ""
    return (bom + text).encode(), wanted.encode()


@pytest.mark.parametrize("seed", range(40))
def test_rejoined_batches_equal_the_input_minus_bom_and_blank_rows(tmp_path, seed):
    rng = random.Random(seed)
    columns = rng.randint(1, 6)
    data, expected = _nasty_csv(rng, columns, rng.randint(1, 300))
    limits = {
        "max_rows": rng.randint(1, 40),
        "max_bytes": rng.randint(400, 5000),
        "block_size": rng.choice([7, 64, 1000, 1 << 20]),
    }
    if expected.count(b"\n") == 0 or expected.split(b"\n", 1)[1].strip(b"\r\n") == b"":
        pytest.skip("generated no data rows")
    splitter, batches, raw = split(data, tmp_path, **limits)

    header_end = len(expected) - len(expected.split(b"\n", 1)[1])
    header = expected[:header_end]
    rejoined = header + b"".join(body[len(header):] for _, body in batches)
    assert rejoined == expected
    assert all(body.startswith(header) for _, body in batches)
    assert splitter.total_rows == sum(rows for rows, _ in batches)
    assert all(rows <= limits["max_rows"] for rows, _ in batches)
    assert all(b.size <= limits["max_bytes"] for b in raw)

    stream = io.BytesIO(data)
    again = list(CsvSplitter(stream, "leads", **limits).batches())
    assert [(b.rows, b"".join(b.pieces(_slicer(stream.getvalue()), 1 << 20)))
            for b in again] == batches


def _slicer(data: bytes):
    return lambda size, offset: data[offset:offset + size]


# -- the whole-block way and the record-by-record way agree --------------------------------------

def _outcome(data: bytes, tmp_path, **limits):
    try:
        splitter, batches, raw = split(data, tmp_path, **limits)
    except CsvRejected as exc:
        return str(exc)
    return batches, [(b.index, b.size) for b in raw], splitter.total_rows


@pytest.mark.parametrize("seed", range(60))
def test_block_size_never_changes_the_batches_or_the_error(tmp_path, seed):
    # Blocks of 7 bytes never hold a whole record past the header, so every record goes the
    # record-by-record way; larger blocks take most of them whole.
    rng = random.Random(1000 + seed)
    data, _ = _nasty_csv(rng, rng.randint(1, 5), rng.randint(50, 400))
    if rng.random() < 0.4:
        spot = rng.randrange(len(data))
        data = data[:spot] + rng.choice([b'"', b",", b"\r", b"\xff", b"\n\n"]) + data[spot:]
    limits = {"max_rows": rng.randint(5, 80), "max_bytes": rng.randint(2000, 20000)}
    expected = _outcome(data, tmp_path, block_size=7, **limits)
    for block_size in (256, 4096, 1 << 20):
        assert _outcome(data, tmp_path, block_size=block_size, **limits) == expected


def test_plain_blocks_are_taken_whole_and_stay_exact(tmp_path):
    row = b'x%d,"quoted, with a\nline break",3\r\n'
    data = b"a,b,c\r\n" + b"".join(row % i for i in range(5000))
    splitter, batches, raw = split(data, tmp_path, max_rows=1200, block_size=8192)
    assert [rows for rows, _ in batches] == [1200, 1200, 1200, 1200, 200]
    assert b"".join(body[len(b"a,b,c\r\n"):] for _, body in batches) == data[len(b"a,b,c\r\n"):]
    # Whole blocks become one range each, joined where they meet.
    assert all(len(b.ranges) == 1 for b in raw)
    assert splitter.total_rows == 5000
