import random
import shutil
import subprocess
import zipfile

import pytest
from crm_import.split import CsvSplitter
from crm_import.ziparchive import write_zip
from crm_import.zipping import Zipper


def _rows(count: int, seed: int = 3) -> bytes:
    rng = random.Random(seed)
    lines = [b"Name,Note\r\n"]
    for n in range(count):
        note = rng.choice([b"plain", b'"with, comma"', b'"two\nlines"', b'"a ""quote"""'])
        lines.append(b"lead%d,%s\r\n" % (n, note))
    return b"".join(lines)


def test_the_archive_holds_the_one_file_unchanged(tmp_path):
    content = _rows(3000)
    target = tmp_path / "leads_1.zip"
    size = write_zip(target, "leads_1.csv", [content[:1000], content[1000:]])
    assert size == len(content)
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        [info] = archive.infolist()
        assert info.filename == "leads_1.csv"
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.file_size == len(content)
        assert archive.read("leads_1.csv") == content


def test_an_empty_file_and_a_non_ascii_name(tmp_path):
    target = tmp_path / "x.zip"
    write_zip(target, "ventes_été.csv", [])
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == ["ventes_été.csv"]
        assert archive.read("ventes_été.csv") == b""


@pytest.mark.skipif(shutil.which("unzip") is None, reason="unzip is not installed")
def test_unzip_accepts_the_archive(tmp_path):
    target = tmp_path / "leads_1.zip"
    write_zip(target, "leads_1.csv", [_rows(500)])
    done = subprocess.run(["unzip", "-t", str(target)], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stdout
    assert "No errors detected" in done.stdout


def test_zipper_zips_each_batch_from_the_source_file(tmp_path):
    data = _rows(2500)
    source_path = tmp_path / "source.csv"
    source_path.write_bytes(b"\xef\xbb\xbf" + data[:-2] + b"\r\n,\r\n" + b"last,row")
    out = tmp_path / "zips"
    out.mkdir()
    with open(source_path, "rb") as source, Zipper(source, out, workers=2) as zipper:
        splitter = CsvSplitter(source, "leads", max_rows=1000, block_size=4096)
        pending = [(batch, zipper.submit(batch)) for batch in splitter.batches()]
        zips = [future.result() for _, future in pending]

    assert [z.name for z in zips] == ["leads_1.zip", "leads_2.zip", "leads_3.zip"]
    header = b"Name,Note\r\n"
    rejoined = b""
    for (batch, _), path in zip(pending, zips, strict=True):
        with zipfile.ZipFile(path) as archive:
            body = archive.read(batch.name)
        assert body.startswith(header)
        assert len(body) == batch.size
        rejoined += body[len(header):]
    # The BOM and the blank row are left out; everything else is there, in order.
    assert header + rejoined == data[:-2] + b"\r\nlast,row"
