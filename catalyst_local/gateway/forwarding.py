"""What crosses the gateway: the path a function sees, and which headers pass each way."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote

from catalyst_local.functions.internal import INTERNAL_HEADER

# Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded, nor
# are the headers a caller's own `Connection` header names.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                        "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"})
# The front server has already answered a caller's `Expect: 100-continue`.
REQUEST_DROPPED = HOP_BY_HOP | {"expect"}
# The front server writes its own.
RESPONSE_DROPPED = HOP_BY_HOP | {"server", "date"}
# The worker's server refuses a header line over 64 KiB or more than 100 headers with an HTML
# page; the gateway refuses such requests itself first, in its own envelope. The platform adds
# about a dozen headers, hence 85.
MAX_REQUEST_HEADER_BYTES = 64 * 1024
MAX_REQUEST_HEADERS = 85


def headers_too_large(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a caller's raw headers are more than a worker's server would take."""
    return (len(headers) > MAX_REQUEST_HEADERS
            or sum(len(name) + len(value) + 4 for name, value in headers)
            > MAX_REQUEST_HEADER_BYTES)


def named_function(raw_path: bytes) -> str | None:
    """The function a raw `/server/<function>/...` path names, its segment decoded; None when
    the path has no such segment.

    An encoded slash stays inside the name (`/server/fn%2Fx` names `fn/x`, which is no
    function), where a router reading the decoded path would see function `fn`, path `/x`.
    """
    segments = raw_path.decode("latin-1").split("/")
    if len(segments) < 3 or unquote(segments[1]) != "server":
        return None
    return unquote(segments[2])


def function_path(raw_path: bytes, query_string: bytes) -> str:
    """The path and query the function sees: the `/server/<function>` prefix removed, as in
    Catalyst, `.` and `..` segments resolved (RFC 3986 §5.2.4, as a proxy in front of the
    function would), and the rest, query string included, kept byte for byte as sent."""
    segments = raw_path.decode("latin-1").split("/")
    rest = remove_dot_segments("/" + "/".join(segments[3:]))
    return f"{rest}?{query_string.decode('latin-1')}" if query_string else rest


def remove_dot_segments(path: str) -> str:
    """`/a/./b/../c` is `/a/c`; empty segments (`//`) stay; a path ending in a dot segment
    keeps its trailing slash."""
    segments = path.split("/")[1:]
    kept: list[str] = []
    for segment in segments:
        if segment == "..":
            if kept:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    if segments and segments[-1] in (".", ".."):
        kept.append("")
    return "/" + "/".join(kept)


def request_headers(headers: Iterable[tuple[str, str]], injected: dict[str, str],
                    default_host: str) -> list[tuple[str, str]]:
    """The caller's headers, minus hop-by-hop ones, any `x-zc-*` it sent (only the platform
    sets those) and the runtime's internal marker, plus the platform's `x-zc-*` headers.

    A caller without a Host header (HTTP/1.0 allows that) gets `default_host`, since the hop
    to the worker is HTTP/1.1, where Host is required.
    """
    headers = list(headers)
    named = {token.strip().lower() for name, value in headers if name.lower() == "connection"
             for token in value.split(",")}
    kept = [(name, value) for name, value in headers
            if name.lower() not in REQUEST_DROPPED
            and name.lower() not in named
            and not name.lower().startswith("x-zc-")
            and name.lower() != INTERNAL_HEADER]
    if not any(name.lower() == "host" for name, _ in kept):
        kept.insert(0, ("host", default_host))
    return kept + list(injected.items())


def response_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, value in headers
            if name.decode("latin-1").lower() not in RESPONSE_DROPPED]
