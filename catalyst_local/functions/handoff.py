"""The thread-attribute hand-off through which `zcatalyst_sdk.initialize()` finds its headers."""

from __future__ import annotations

import threading
from collections.abc import Iterable

HANDOFF_ATTRIBUTE = "__zc_local"


def hand_off_headers(headers: Iterable[tuple[str, str]]) -> None:
    """Sets the current thread's `__zc_local` to a fresh dict of every `x-zc-*` header.

    Mirrors the Catalyst runtime: the keys keep the spelling the headers arrived with (Werkzeug's
    `X-Zc-Projectid` form), and the dict is replaced, never updated, on every call.
    """
    catalyst_headers = {name: value for name, value in headers
                        if name.lower().startswith("x-zc-")}
    setattr(threading.current_thread(), HANDOFF_ATTRIBUTE,
            {"catalyst_headers": catalyst_headers})
