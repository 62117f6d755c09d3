"""Stable line numbers for a function's recent output, so `logs --follow` can ask for what is new.

The host keeps each function's last lines in a bounded deque with no running count. A numbering
is anchored on the newest line object seen (compared by identity): lines at or before it keep
their numbers, lines after it continue the count.
"""

from __future__ import annotations

from collections import deque
from typing import Any

# TODO: once more lines than the host keeps arrive between two reads, the lines dropped in
# between are not counted, so numbers run on from the last one read rather than from the true
# total.


class LineNumbers:
    """Numbers the lines of every function's output deque, from 1."""

    def __init__(self) -> None:
        self._anchors: dict[str, tuple[dict[str, Any], int]] = {}

    def numbered(self, function: str, lines: deque[dict[str, Any]] | list[dict[str, Any]]
                 ) -> list[dict[str, Any]]:
        """Every kept line as `{"no": n, **line}`, oldest first."""
        kept = list(lines)
        if not kept:
            return []
        first = self._first_number(function, kept)
        self._anchors[function] = (kept[-1], first + len(kept) - 1)
        return [{"no": first + index, **line} for index, line in enumerate(kept)]

    def _first_number(self, function: str, kept: list[dict[str, Any]]) -> int:
        anchor = self._anchors.get(function)
        if anchor is None:
            return 1
        line, number = anchor
        for index in range(len(kept) - 1, -1, -1):
            if kept[index] is line:
                return number - index
        return number + 1
