"""What crosses the gateway: the path a function sees, and which headers pass each way."""

from __future__ import annotations

from collections.abc import Iterable

from catalyst_local.functions.internal import INTERNAL_HEADER

# Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                        "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"})
# The front server has already answered a caller's `Expect: 100-continue`.
REQUEST_DROPPED = HOP_BY_HOP | {"expect"}
# The front server writes its own.
RESPONSE_DROPPED = HOP_BY_HOP | {"server", "date"}


def function_path(raw_path: bytes, function: str, query_string: bytes) -> str:
    """The path and query the function sees: only the `/server/<function>` prefix is removed,
    as in Catalyst, and the query string is kept as sent."""
    path = raw_path.decode("latin-1")
    prefix = f"/server/{function}"
    rest = path[len(prefix):] if path.startswith(prefix) else path
    rest = rest or "/"
    return f"{rest}?{query_string.decode('latin-1')}" if query_string else rest


def request_headers(headers: Iterable[tuple[str, str]],
                    injected: dict[str, str]) -> list[tuple[str, str]]:
    """The caller's headers, minus any `x-zc-*` it sent (only the platform sets those) and the
    runtime's internal marker, plus the platform's `x-zc-*` headers."""
    kept = [(name, value) for name, value in headers
            if name.lower() not in REQUEST_DROPPED
            and not name.lower().startswith("x-zc-")
            and name.lower() != INTERNAL_HEADER]
    return kept + list(injected.items())


def response_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, value in headers
            if name.decode("latin-1").lower() not in RESPONSE_DROPPED]
