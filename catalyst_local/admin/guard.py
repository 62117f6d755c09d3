"""One ASGI middleware in front of the admin API, the console and `/zoho/_sandbox`.

The emulator has no real authentication, so these endpoints answer only to a client on this
machine, and only to requests that do not come from another web origin: a page on some other
site open in the developer's browser must not be able to read or reset local state. It is pure
ASGI so that streamed request and response bodies pass through untouched.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

logger = logging.getLogger("catalyst_local.admin")

GUARDED_PREFIXES = ("/_catalyst_local", "/zoho/_sandbox")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")

NOT_LOCAL = "The catalyst-local admin endpoints answer only to clients on this machine"
FOREIGN_ORIGIN = "The catalyst-local admin endpoints refuse requests from other web origins"
FOREIGN_HOST = "The catalyst-local admin endpoints answer only to a loopback host name"


def is_loopback(host: str | None) -> bool:
    """Whether a client address is in 127.0.0.0/8 or is ::1 (IPv4-mapped forms included)."""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def is_guarded(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in GUARDED_PREFIXES)


class AdminGuard:
    """Answers 403 to a guarded request from a non-loopback client, with a foreign `Origin`,
    or with a `Host` that is not a loopback name (a DNS rebinding page's requests carry its own
    host name). `base_url` is read on every request: it is known only once the socket is bound.
    """

    def __init__(self, app: ASGIApp, base_url: Callable[[], str]):
        self.app = app
        self._base_url = base_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_guarded(scope["path"]):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        logger.warning("Refused %s %s: %s", scope["method"], scope["path"], refusal.lower())
        body = json.dumps({"error": refusal}).encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    def _refusal(self, scope: Scope) -> str | None:
        client = scope.get("client")
        if not is_loopback(client[0] if client else None):
            return NOT_LOCAL
        headers = dict(scope.get("headers") or [])
        base_url = self._base_url().rstrip("/")
        origin = headers.get(b"origin")
        if origin is not None and origin.decode("latin-1").rstrip("/") != base_url:
            return FOREIGN_ORIGIN
        host = headers.get(b"host")
        if host is not None and not _is_own_host(host.decode("latin-1"), base_url):
            return FOREIGN_HOST
        return None


def _is_own_host(host: str, base_url: str) -> bool:
    own = urlsplit(base_url).netloc
    if host == own:
        return True
    port = urlsplit(base_url).port
    return any(host == (f"{name}:{port}" if port else name) for name in LOOPBACK_NAMES)
