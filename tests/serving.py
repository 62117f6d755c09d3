"""Real `catalyst-local serve` processes for tests, and reading their memory."""

from __future__ import annotations

from pathlib import Path

from catalyst_local.client.background import BackgroundServer

# Tests call it by what it is to them: the serve process under test.
ServeProcess = BackgroundServer


def _status_field(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {name} for pid {pid}")


def rss_kib(pid: int) -> int:
    """Resident memory of a process now (VmRSS, KiB)."""
    return _status_field(pid, "VmRSS")


def hwm_kib(pid: int) -> int:
    """Peak resident memory of a process so far (VmHWM, KiB)."""
    return _status_field(pid, "VmHWM")


def children(pid: int) -> list[int]:
    """Direct child processes (the function workers of a serve process)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found
