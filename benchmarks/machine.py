"""Facts about the machine and the libraries a run used, saved next to its figures."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024 // 1_000_000
    except OSError:
        pass
    return None


def _zlib_ng() -> dict[str, str | None]:
    try:
        from zlib_ng import zlib_ng
    except ImportError:
        return {"module": None, "library": None}
    return {"module": importlib.metadata.version("zlib-ng"),
            "library": getattr(zlib_ng, "ZLIBNG_VERSION", None)}


def pigz_version() -> str | None:
    """pigz's version line, or None when pigz is not installed."""
    if shutil.which("pigz") is None:
        return None
    done = subprocess.run(["pigz", "--version"], capture_output=True, text=True, timeout=10)
    return (done.stdout or done.stderr).strip() or "unknown version"


def base_python() -> str:
    """The interpreter this virtualenv was made from: it may have numpy, which the project does
    not depend on."""
    return getattr(sys, "_base_executable", sys.executable) or sys.executable


def numpy_version() -> str | None:
    """numpy's version in the base interpreter, or None when it has no numpy."""
    try:
        done = subprocess.run([base_python(), "-c", "import numpy; print(numpy.__version__)"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def facts() -> dict[str, Any]:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": affinity,
        "memory_mb": _memory_mb(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "zlib": {"compiled": zlib.ZLIB_VERSION, "runtime": zlib.ZLIB_RUNTIME_VERSION},
        "zlib_ng": _zlib_ng(),
        "pigz": pigz_version(),
        "numpy_in_base_python": numpy_version(),
        "base_python": base_python(),
        "load_average_at_start": list(os.getloadavg()),
    }
