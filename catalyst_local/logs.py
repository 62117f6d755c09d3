"""Logging for the whole emulator, set up in one place.

Named loggers, as uvicorn has them: `catalyst_local.server` for the lifecycle,
`catalyst_local.access` for one line per gateway request, `catalyst_local.function.<name>` for what
each function prints, and one per component (`catalyst_local.events`, `catalyst_local.zoho`, ...).
Every line passes through a redactor that knows the secrets this process holds, so a token that
slips into a message is masked before it is written.
"""

from __future__ import annotations

import logging
import sys
import threading

FORMAT = "%(asctime)s %(levelname)-7s %(name)s  %(message)s"
DATE_FORMAT = "%H:%M:%S"
MASK = "********"


class SecretRedactor(logging.Filter):
    """Replaces every registered secret value in a record's final message."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def register(self, *values: str | None) -> None:
        with self._lock:
            # Short values would mask ordinary words; real secrets are long.
            self._secrets.update(value for value in values if value and len(value) >= 8)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            if secret in redacted:
                redacted = redacted.replace(secret, MASK)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


redactor = SecretRedactor()


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT, DATE_FORMAT))
    handler.addFilter(redactor)

    root = logging.getLogger("catalyst_local")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False

    # uvicorn's own lines: errors only; the gateway writes the access log itself.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = [handler]
        logging.getLogger(name).setLevel(logging.WARNING)
        logging.getLogger(name).propagate = False
    logging.getLogger("uvicorn.access").disabled = True
