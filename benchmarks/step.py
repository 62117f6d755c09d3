"""Runs one measurement in this fresh process and prints its result as one JSON line.

`python -m benchmarks.step '{"step": "zlib_1", "args": {...}}'`. A fresh process per run means
the peak resident memory reported (VmHWM) belongs to that step alone, interpreter included.
"""

from __future__ import annotations

import json
import resource
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULT_PREFIX = "benchmark-result="


def _steps() -> dict[str, Callable[..., dict[str, Any]]]:
    from benchmarks import floors, splitzip

    return {
        "raw_read": floors.raw_read,
        "record_scan": floors.record_scan,
        "record_scan_numpy": floors.record_scan_numpy,
        "zlib_1": floors.zlib_one_core,
        "zlib_all": floors.zlib_all_cores,
        "zlibng_1": floors.zlibng_one_core,
        "zlibng_all": floors.zlibng_all_cores,
        "pigz": floors.pigz,
        "naive_split": floors.naive_split,
        "splitzip": splitzip.split_and_zip,
        "splitzip_verify": splitzip.verify,
    }


def _vm_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def main() -> int:
    request = json.loads(sys.argv[1])
    step = _steps()[request["step"]]
    baseline = _vm_kib("VmRSS")
    result = step(**request.get("args", {}))
    # VmHWM, not ru_maxrss: Linux carries the parent's high-water mark across fork and exec
    # into ru_maxrss, so a child of a large parent would report the parent's peak.
    result["peak_rss_kib"] = _vm_kib("VmHWM")
    result["ru_maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["baseline_rss_kib"] = baseline
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
