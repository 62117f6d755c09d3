"""Zip each batch as the single CSV of its own ZIP, as bulk write wants it.

A batch is never written out as a CSV: each worker reads the batch's byte ranges straight from
the source file (`os.pread`, safe from many threads at once) and deflates them into the ZIP.
Memory stays at one chunk in flight per worker.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from crm_import.split import Batch
from crm_import.ziparchive import write_zip

# Deflate releases the GIL for the length of each call: 1 MiB chunks (several milliseconds of
# work) let the workers run beside the splitter, and keep only a few MB in flight.
_CHUNK = 1024 * 1024


class Zipper:
    """Zips batches of `source` into `out_dir` in a thread pool of one worker per CPU, while
    the caller keeps splitting. `source` must stay open and unchanged until `close`."""

    def __init__(self, source: BinaryIO, out_dir: Path, workers: int | None = None) -> None:
        self._read_at = _reader(source)
        self._out_dir = out_dir
        self._pool = ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1)

    def submit(self, batch: Batch) -> Future[Path]:
        """Starts `<base>_<n>.zip`, holding `<base>_<n>.csv`; the future gives its path."""
        return self._pool.submit(self._zip, batch)

    def _zip(self, batch: Batch) -> Path:
        target = self._out_dir / (batch.name.removesuffix(".csv") + ".zip")
        write_zip(target, batch.name, batch.pieces(self._read_at, _CHUNK))
        return target

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Zipper:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _reader(source: BinaryIO):
    """`read_at(size, offset)` for `source` that leaves its position alone (the splitter is
    reading it): `os.pread` on a file, slices of the buffer of an in-memory stream."""
    try:
        descriptor = source.fileno()
    except (AttributeError, OSError):
        buffer = source.getbuffer()
        return lambda size, offset: bytes(buffer[offset:offset + size])
    return lambda size, offset: os.pread(descriptor, size, offset)
