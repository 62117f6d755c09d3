"""Zip each batch as the single CSV of its own ZIP, as bulk write wants it."""

from __future__ import annotations

import os
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from crm_import.split import Batch

# Large writes matter: zlib releases the GIL for the length of each call, so 4 MB chunks let the
# compressing threads run beside the splitter instead of queueing for the GIL every 8 KB.
_CHUNK = 4 * 1024 * 1024


def zip_batch(batch: Batch) -> Path:
    """Writes `<base>_<n>.zip` next to `<base>_<n>.csv`, holding only that CSV (deflate)."""
    target = batch.path.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        with open(batch.path, "rb") as source, archive.open(batch.path.name, "w") as member:
            while chunk := source.read(_CHUNK):
                member.write(chunk)
    return target


class Zipper:
    """Zips batches in a thread pool of one worker per CPU while the caller keeps splitting."""

    def __init__(self, workers: int | None = None) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1)

    def submit(self, batch: Batch) -> Future[Path]:
        return self._pool.submit(zip_batch, batch)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Zipper:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
