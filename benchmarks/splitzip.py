"""The initiator's own split and zip step, run the way the initiator runs it.

`CsvSplitter` finds the batches' byte ranges while a `Zipper` pool reads each closed batch back
from the source and deflates it; the step ends when the last ZIP is written. Nothing is
uploaded. `verify` checks, once and outside any timing, that the ZIPs hold exactly the input.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

SHARED_CODE = Path(__file__).resolve().parent.parent / "functions" / "_common"
_READ = 1024 * 1024


def available() -> str | None:
    """None when the splitter can be imported; otherwise why not."""
    if not (SHARED_CODE / "crm_import" / "split.py").exists():
        return f"{SHARED_CODE / 'crm_import' / 'split.py'} does not exist"
    try:
        _import_splitter()
    except ImportError as exc:
        return f"crm_import cannot be imported: {exc}"
    return None


def deflate_library() -> str:
    """The module the splitter deflates with: `zlib_ng.zlib_ng` or `zlib`."""
    _import_splitter()
    from crm_import.ziparchive import DEFLATE_LIBRARY

    return DEFLATE_LIBRARY


def _import_splitter():
    if str(SHARED_CODE) not in sys.path:
        sys.path.insert(0, str(SHARED_CODE))
    from crm_import.split import CsvSplitter
    from crm_import.zipping import Zipper

    return CsvSplitter, Zipper


def _run(path: Path, work: Path) -> tuple[list[Any], list[Path]]:
    splitter_class, zipper_class = _import_splitter()  # imported already: costs nothing here
    with open(path, "rb") as stream, zipper_class(stream, work) as zipper:
        splitter = splitter_class(stream, "leads")
        pending = [(batch, zipper.submit(batch)) for batch in splitter.batches()]
        zips = [future.result() for _, future in pending]
    return [batch for batch, _ in pending], zips


def split_and_zip(path: str) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="bench_splitzip_"))
    _import_splitter()  # before the clock: a long-running initiator has it imported
    try:
        started = time.perf_counter()
        batches, zips = _run(Path(path), work)
        seconds = time.perf_counter() - started
        zipped = sum(z.stat().st_size for z in zips)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"seconds": seconds, "batches": len(batches), "rows": sum(b.rows for b in batches),
            "zip_bytes": zipped}


def verify(path: str) -> dict[str, Any]:
    """Rejoins the CSVs inside the ZIPs, each header after the first dropped, and compares the
    result with the input byte for byte (by SHA-256, streaming)."""
    source = Path(path)
    work = Path(tempfile.mkdtemp(prefix="bench_verify_"))
    try:
        batches, zips = _run(source, work)
        expected = _digest_file(source)
        rejoined = hashlib.sha256()
        header = b""
        for index, archive_path in enumerate(zips):
            with zipfile.ZipFile(archive_path) as archive:
                names = archive.namelist()
                if len(names) != 1:
                    return {"seconds": 0.0, "exact": False,
                            "problem": f"ZIP {index + 1} holds {len(names)} files"}
                with archive.open(names[0]) as member:
                    first = member.readline()
                    if index == 0:
                        header = first
                        rejoined.update(first)
                    elif first != header:
                        return {"seconds": 0.0, "exact": False,
                                "problem": f"ZIP {index + 1} starts with another header"}
                    while chunk := member.read(_READ):
                        rejoined.update(chunk)
        exact = rejoined.hexdigest() == expected
        return {"seconds": 0.0, "exact": exact, "batches": len(batches),
                "rows": sum(b.rows for b in batches),
                "problem": None if exact else "the rejoined CSVs differ from the input"}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _digest_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(_READ):
            digest.update(chunk)
    return digest.hexdigest()
