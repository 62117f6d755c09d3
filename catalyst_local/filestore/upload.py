"""A file on its way into File Store: written beside its final place, visible only once whole."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from catalyst_local.filestore import errors

TEMP_PREFIX = ".upload-"
TEMP_SUFFIX = ".tmp"


class PendingUpload:
    """Bytes streamed into a temp file in the folder's blob directory, with a size cap.

    `finish` makes the bytes durable and moves them into place with one rename; `abort` removes
    them. Until `finish` returns, no reader can see any part of the file.
    """

    def __init__(self, directory: Path, max_bytes: int):
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=directory)
        self._file = os.fdopen(fd, "wb")
        self._max_bytes = max_bytes
        self.path = Path(name)
        self.size = 0

    def write(self, data: bytes | memoryview) -> None:
        if self.size + len(data) > self._max_bytes:
            raise errors.FILE_TOO_LARGE(limit=self._max_bytes)
        self._file.write(data)
        self.size += len(data)

    def finish(self, final_path: Path) -> None:
        """Flushes, fsyncs and renames the temp file to `final_path` (same directory)."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.path, final_path)
        _fsync_directory(final_path.parent)

    def abort(self) -> None:
        """Removes the temp file; safe to call more than once, and after `finish`."""
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)


def is_temp_file(path: Path) -> bool:
    return path.name.startswith(TEMP_PREFIX) and path.name.endswith(TEMP_SUFFIX)


def _fsync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
