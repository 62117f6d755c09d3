"""Floors and peers for split and zip: what reading, scanning and deflating the bytes cost.

Each function is one step run in its own process (see `benchmarks.step`) and returns
`{"seconds": ...}` plus what it checked. Inputs are read into memory before the clock starts,
except for the read and scan floors, which measure reading itself.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import tempfile
import time
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from itertools import repeat
from pathlib import Path
from typing import Any

_READ = 1024 * 1024
_SCAN_BLOCK = 2 * 1024 * 1024
NAIVE_ROWS = 25_000


def raw_read(path: str) -> dict[str, Any]:
    """Reads the file in 1 MiB chunks into one reused buffer (the page cache is warm)."""
    buffer = bytearray(_READ)
    total = 0
    started = time.perf_counter()
    with open(path, "rb", buffering=0) as source:
        while count := source.readinto(buffer):
            total += count
    return {"seconds": time.perf_counter() - started, "bytes": total}


def record_scan(path: str) -> dict[str, Any]:
    """Counts RFC 4180 record ends with bytes methods only: a line feed ends a record when the
    quotes seen so far are balanced."""
    records = 0
    inside = False
    carry = b""
    started = time.perf_counter()
    with open(path, "rb") as source:
        while block := source.read(_SCAN_BLOCK):
            data = carry + block
            lines = data.split(b"\n")
            carry = lines.pop()
            if not inside and b'"' not in data:
                records += len(lines)
                continue
            for quotes in map(bytes.count, lines, repeat(b'"')):
                if quotes & 1:
                    inside = not inside
                if not inside:
                    records += 1
    if carry:
        records += 1
    return {"seconds": time.perf_counter() - started, "records": records}


def record_scan_numpy(path: str) -> dict[str, Any]:
    """The same count, vectorised: a line feed ends a record when the number of quotes before
    it (carried across blocks) is even. Runs in an interpreter that has numpy."""
    import numpy

    records = 0
    quotes_before = 0
    started = time.perf_counter()
    with open(path, "rb") as source:
        last = b""
        while block := source.read(_SCAN_BLOCK):
            view = numpy.frombuffer(block, dtype=numpy.uint8)
            quotes = numpy.flatnonzero(view == 0x22)
            newlines = numpy.flatnonzero(view == 0x0A)
            before = numpy.searchsorted(quotes, newlines) + quotes_before
            records += int(numpy.count_nonzero((before & 1) == 0))
            quotes_before += len(quotes)
            last = block[-1:]
    if last and last != b"\n":
        records += 1
    return {"seconds": time.perf_counter() - started, "records": records}


def _deflate(module: Any, data: memoryview) -> int:
    # Raw deflate at level 6, what zipfile writes for ZIP_DEFLATED with compresslevel=6.
    compressor = module.compressobj(6, module.DEFLATED, -15)
    return len(compressor.compress(data)) + len(compressor.flush())


def _deflate_in_threads(module: Any, path: str) -> dict[str, Any]:
    data = memoryview(Path(path).read_bytes())
    workers = os.cpu_count() or 1
    size = -(-len(data) // workers)
    chunks = [data[i:i + size] for i in range(0, len(data), size)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        compressed = sum(pool.map(_deflate, repeat(module), chunks))
    return {"seconds": time.perf_counter() - started, "compressed_bytes": compressed,
            "threads": workers}


def _deflate_on_one_core(module: Any, path: str) -> dict[str, Any]:
    data = memoryview(Path(path).read_bytes())
    started = time.perf_counter()
    compressed = _deflate(module, data)
    return {"seconds": time.perf_counter() - started, "compressed_bytes": compressed}


def zlib_one_core(path: str) -> dict[str, Any]:
    return _deflate_on_one_core(zlib, path)


def zlib_all_cores(path: str) -> dict[str, Any]:
    """N equal chunks in a pool of N threads: zlib releases the GIL while it deflates."""
    return _deflate_in_threads(zlib, path)


def zlibng_one_core(path: str) -> dict[str, Any]:
    from zlib_ng import zlib_ng

    return _deflate_on_one_core(zlib_ng, path)


def zlibng_all_cores(path: str) -> dict[str, Any]:
    from zlib_ng import zlib_ng

    return _deflate_in_threads(zlib_ng, path)


def pigz(path: str, processes: int = 2) -> dict[str, Any]:
    """`pigz -6 -p N` on the file, output thrown away; the caller checks pigz is installed."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        subprocess.run(["pigz", "-6", "-p", str(processes), "-c", path], stdout=sink,
                       check=True, timeout=300)
    return {"seconds": time.perf_counter() - started}


def naive_split(path: str) -> dict[str, Any]:
    """What a user's own script would do: csv.reader, csv.writer per 25,000 rows, then zipfile,
    one step after the other on one core."""
    work = Path(tempfile.mkdtemp(prefix="bench_naive_"))
    try:
        started = time.perf_counter()
        parts = _naive_write_parts(Path(path), work)
        for part in parts:
            with zipfile.ZipFile(part.with_suffix(".zip"), "w", zipfile.ZIP_DEFLATED,
                                 compresslevel=6) as archive:
                archive.write(part, part.name)
        seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"seconds": seconds, "batches": len(parts)}


def _naive_write_parts(path: Path, work: Path) -> list[Path]:
    parts: list[Path] = []
    with open(path, newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        header = next(reader)
        out = None
        writer = None
        rows = NAIVE_ROWS
        for row in reader:
            if rows == NAIVE_ROWS:
                if out is not None:
                    out.close()
                parts.append(work / f"part_{len(parts) + 1}.csv")
                out = open(parts[-1], "w", newline="", encoding="utf-8")  # noqa: SIM115
                writer = csv.writer(out, lineterminator="\r\n")
                writer.writerow(header)
                rows = 0
            writer.writerow(row)
            rows += 1
        if out is not None:
            out.close()
    return parts
