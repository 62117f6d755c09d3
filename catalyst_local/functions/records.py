"""What the host remembers about each function for the web console: output lines, invocations."""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import Any

LOG_LINES_KEPT = 1000
INVOCATIONS_KEPT = 200
LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING,
          "ERROR": logging.ERROR, "CRITICAL": logging.CRITICAL}


class FunctionRecords:
    """A function's recent output, each line also logged under `catalyst_local.function.<name>`.

    The worker prefixes its logging lines with their level and a tab. A stderr line without that
    prefix (the rest of a traceback, a bare print to stderr) takes the level of the last prefixed
    line; stdout lines are INFO.
    """

    def __init__(self, name: str):
        self.logger = logging.getLogger(f"catalyst_local.function.{name}")
        self.lines: deque[dict[str, Any]] = deque(maxlen=LOG_LINES_KEPT)
        self.invocations: deque[dict[str, Any]] = deque(maxlen=INVOCATIONS_KEPT)
        self._stderr_level = logging.WARNING

    def add_output(self, stream: str, line: str) -> None:
        level = logging.INFO
        if stream == "stderr":
            prefix, tab, rest = line.partition("\t")
            if tab and prefix in LEVELS:
                self._stderr_level, line = LEVELS[prefix], rest
            level = self._stderr_level
        self.lines.append({"time": time.time(), "stream": stream,
                           "level": logging.getLevelName(level), "line": line})
        self.logger.log(level, "%s", line)

    def add_invocation(self, target: str, status: int | None, duration_ms: float,
                       error: str | None = None) -> None:
        """Records one call: `target` is the request path or the event id."""
        self.invocations.append({"time": time.time(), "target": target, "status": status,
                                 "duration_ms": round(duration_ms, 1), "error": error})
