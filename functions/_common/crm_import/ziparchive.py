"""Write a ZIP archive holding one deflated file, streamed from chunks of its content.

`zipfile` can only deflate with the standard library's zlib; this writes the same container
around a faster deflate (zlib-ng, when installed). The layout is the plain PKZIP one any unzip
reads: a local file header, the raw deflate stream, then the central directory of one entry and
the end-of-central-directory record. The CRC-32 and sizes are only known at the end, so they are
written into the local header afterwards (the file is seekable; no data descriptor is needed).
Sizes must stay under 4 GiB: ZIP64 is not written.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterable
from pathlib import Path

try:
    # zlib-ng deflates the same format about twice as fast as zlib at the same level, and its
    # CRC-32 is several times faster; the stdlib is the fallback where the wheel is missing.
    from zlib_ng import zlib_ng as deflate_library
except ImportError:  # pragma: no cover - the function's requirements install zlib-ng
    import zlib as deflate_library

DEFLATE_LIBRARY = deflate_library.__name__
LEVEL = 6

_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
_END_OF_DIRECTORY = struct.Struct("<IHHHHIIH")
_VERSION = 20  # 2.0: deflate
_MADE_ON_UNIX = 3 << 8
_UTF8_NAME = 0x800
_DEFLATED = 8
_PERMISSIONS = 0o100644 << 16  # a regular file, rw-r--r--
_CRC_OFFSET = 14  # of the CRC-32 field in the local header
_LIMIT = 0xFFFFFFFF


def write_zip(target: Path, name: str, chunks: Iterable[bytes], level: int = LEVEL) -> int:
    """Writes `target` holding `name`, whose content is the concatenated `chunks`, deflated at
    `level`. Returns the content's size in bytes."""
    encoded = name.encode("utf-8")
    flags = 0 if encoded.isascii() else _UTF8_NAME
    stamp = _dos_time(time.localtime())
    compressor = deflate_library.compressobj(level, deflate_library.DEFLATED, -15)
    crc = 0
    size = 0
    compressed = 0
    with open(target, "wb") as out:
        out.write(_LOCAL_HEADER.pack(0x04034B50, _VERSION, flags, _DEFLATED, *stamp, 0, 0, 0,
                                     len(encoded), 0))
        out.write(encoded)
        for chunk in chunks:
            crc = deflate_library.crc32(chunk, crc)
            size += len(chunk)
            packed = compressor.compress(chunk)
            compressed += len(packed)
            out.write(packed)
        packed = compressor.flush()
        compressed += len(packed)
        out.write(packed)
        if size > _LIMIT or compressed > _LIMIT:
            raise ValueError("the file is too large for a ZIP without ZIP64")

        directory_at = out.tell()
        out.write(_CENTRAL_HEADER.pack(
            0x02014B50, _MADE_ON_UNIX | _VERSION, _VERSION, flags, _DEFLATED, *stamp, crc,
            compressed, size, len(encoded), 0, 0, 0, 0, _PERMISSIONS, 0))
        out.write(encoded)
        directory_size = out.tell() - directory_at
        out.write(_END_OF_DIRECTORY.pack(0x06054B50, 0, 0, 1, 1, directory_size, directory_at,
                                         0))
        out.seek(_CRC_OFFSET)
        out.write(struct.pack("<III", crc, compressed, size))
    return size


def _dos_time(moment: time.struct_time) -> tuple[int, int]:
    """MS-DOS time and date words; DOS dates start in 1980."""
    year = max(moment.tm_year, 1980)
    return (
        moment.tm_hour << 11 | moment.tm_min << 5 | moment.tm_sec // 2,
        (year - 1980) << 9 | moment.tm_mon << 5 | moment.tm_mday,
    )
