"""Zoho OAuth: data-center hosts and an access token kept fresh from the refresh token.

The token lives in process memory and is shared with other instances through one Cache key
(`CRM_BULK_IMPORT_TOKEN` in the Default segment), because Zoho allows only 10 refreshes per
refresh token in 10 minutes. It is refreshed when less than 5 minutes are left, and refreshes are
serialised within the process.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from crm_import.config import Config
from crm_import.errors import ConfigurationError, ZohoError

log = logging.getLogger("crm_import.zoho_auth")

REFRESH_MARGIN = 300  # seconds: refresh, and ignore a shared token, this close to expiry
DEFAULT_LIFETIME = 3600
# After "Access Denied" Zoho refuses refreshes for the rest of its 10-minute window.
ACCESS_DENIED_BACKOFF = 600

_HINTS = {
    "invalid_client": "the client id is unknown at this data center; check CLIENT_ID and that"
    " REFRESH_TOKEN_URL is your data center's accounts server",
    "invalid_code": "the refresh token is wrong, revoked or evicted; generate a new one",
    "Access Denied": "too many token refreshes; Zoho allows 10 in 10 minutes",
}


@dataclass(frozen=True)
class DataCenter:
    accounts: str
    api_domain: str
    upload_host: str


DATA_CENTERS = {
    dc.accounts: dc
    for dc in (
        DataCenter("accounts.zoho.com", "https://www.zohoapis.com", "https://content.zohoapis.com"),
        DataCenter("accounts.zoho.eu", "https://www.zohoapis.eu", "https://content.zohoapis.eu"),
        DataCenter("accounts.zoho.in", "https://www.zohoapis.in", "https://content.zohoapis.in"),
        DataCenter(
            "accounts.zoho.com.au", "https://www.zohoapis.com.au", "https://content.zohoapis.com.au"
        ),
        DataCenter("accounts.zoho.jp", "https://www.zohoapis.jp", "https://content.zohoapis.jp"),
        DataCenter(
            "accounts.zoho.com.cn", "https://www.zohoapis.com.cn", "https://content.zohoapis.com.cn"
        ),
        DataCenter("accounts.zohocloud.ca", "https://www.zohoapis.ca", "https://upload.zohocloud.ca"),
        DataCenter("accounts.zoho.sa", "https://www.zohoapis.sa", "https://files.zoho.sa"),
    )
}


def data_center_for(token_url: str) -> DataCenter | None:
    """The data center whose accounts server `token_url` points at, or None."""
    host = (urlsplit(token_url).hostname or "").lower()
    return DATA_CENTERS.get(host)


def api_base(config: Config, token_api_domain: str | None) -> str:
    """The API host: `ZOHO_API_DOMAIN`, else the token's `api_domain`, else the DC's."""
    if config.api_domain:
        return config.api_domain
    if token_api_domain:
        return token_api_domain.rstrip("/")
    dc = data_center_for(config.token_url)
    if dc is None:
        raise ConfigurationError(
            "cannot tell the Zoho API host from REFRESH_TOKEN_URL; set ZOHO_API_DOMAIN"
        )
    return dc.api_domain


def upload_url(config: Config) -> str:
    """The upload endpoint: `ZOHO_UPLOAD_URL`, else the DC's upload host."""
    if config.upload_url:
        return config.upload_url
    dc = data_center_for(config.token_url)
    if dc is None:
        raise ConfigurationError(
            "cannot tell the Zoho upload host from REFRESH_TOKEN_URL; set ZOHO_UPLOAD_URL"
        )
    return f"{dc.upload_host}/crm/v8/upload"


@dataclass(frozen=True)
class Token:
    access_token: str
    api_domain: str | None
    expires_at: float

    def fresh(self, now: float) -> bool:
        return self.expires_at - now > REFRESH_MARGIN


class TokenShare(Protocol):
    """Where instances share the token (the Default Cache segment in the functions)."""

    def load(self) -> str | None: ...

    def save(self, value: str) -> None: ...


class TokenSender(Protocol):
    def send(self, method: str, url: str, *, what: str, auth: bool = ..., **kwargs): ...


# Process-wide, so warm instances reuse a token across invocations.
_lock = threading.Lock()
_tokens: dict[str, Token] = {}
_denied_until: dict[str, float] = {}
_rejected: set[str] = set()


def reset_process_state() -> None:
    """Forgets every token and backoff held by this process."""
    with _lock:
        _tokens.clear()
        _denied_until.clear()
        _rejected.clear()


class TokenManager:
    """Hands out a Zoho access token with at least 5 minutes of life left."""

    def __init__(
        self,
        config: Config,
        sender: TokenSender,
        share: TokenShare | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._sender = sender
        self._share = share
        self._clock = clock
        identity = "\0".join((config.token_url, config.client_id, config.refresh_token))
        self._key = hashlib.sha256(identity.encode()).hexdigest()

    @property
    def api_domain(self) -> str | None:
        token = _tokens.get(self._key)
        return token.api_domain if token else None

    def token(self) -> Token:
        now = self._clock()
        current = _tokens.get(self._key)
        if current and current.fresh(now):
            return current
        with _lock:
            current = _tokens.get(self._key)
            if current and current.fresh(now):
                return current
            shared = self._load_shared(now)
            if shared:
                _tokens[self._key] = shared
                return shared
            token = self._refresh(now, current)
            _tokens[self._key] = token
        self._save_shared(token)
        return token

    def invalidate(self, access_token: str) -> None:
        """Forgets a token Zoho has refused, so the next call refreshes it."""
        with _lock:
            _rejected.add(_fingerprint(access_token))
            current = _tokens.get(self._key)
            if current and current.access_token == access_token:
                # Keep the api_domain: a refresh answer may leave it out.
                _tokens[self._key] = Token("", current.api_domain, 0.0)

    def _refresh(self, now: float, previous: Token | None) -> Token:
        denied_until = _denied_until.get(self._key, 0.0)
        if now < denied_until:
            raise ZohoError(
                200, "Access Denied", f"{_HINTS['Access Denied']}; waiting"
                f" {int(denied_until - now)} s before the next refresh", "Zoho token refresh"
            )
        response = self._sender.send(
            "POST",
            self._config.token_url,
            what="Zoho token refresh",
            auth=False,
            data={
                "grant_type": "refresh_token",
                "client_id": self._config.client_id,
                "client_secret": self._config.client_secret,
                "refresh_token": self._config.refresh_token,
            },
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not body.get("access_token"):
            error = str(body.get("error") or "") if isinstance(body, dict) else ""
            if error == "Access Denied":
                _denied_until[self._key] = now + ACCESS_DENIED_BACKOFF
            log.error(
                "Zoho token refresh refused: HTTP %s, error %s",
                response.status_code, error or "no access_token",
            )
            raise ZohoError(
                response.status_code, error or "NO_ACCESS_TOKEN",
                _HINTS.get(error, "the answer has no access_token"), "Zoho token refresh",
            )

        lifetime = _number(body.get("expires_in"), DEFAULT_LIFETIME)
        if "expires_in_sec" in body:
            lifetime = lifetime / 1000  # legacy answers give expires_in in milliseconds
        api_domain = body.get("api_domain") or (previous.api_domain if previous else None)
        log.info("Zoho access token refreshed; valid for %d s", lifetime)
        return Token(str(body["access_token"]), api_domain, now + lifetime)

    def _load_shared(self, now: float) -> Token | None:
        if self._share is None:
            return None
        try:
            raw = self._share.load()
            if not raw:
                return None
            data = json.loads(raw)
            token = Token(str(data["access_token"]), data.get("api_domain"),
                          float(data["expires_at"]))
        except Exception as exc:  # a bad or unreachable shared value only costs a refresh
            log.warning("Ignoring the shared Zoho token: %s", type(exc).__name__)
            return None
        if not token.fresh(now) or _fingerprint(token.access_token) in _rejected:
            return None
        return token

    def _save_shared(self, token: Token) -> None:
        if self._share is None:
            return
        value = json.dumps({
            "access_token": token.access_token,
            "api_domain": token.api_domain,
            "expires_at": token.expires_at,
        })
        try:
            self._share.save(value)
        except Exception as exc:
            log.warning("Could not share the Zoho token through Cache: %s", type(exc).__name__)


def _fingerprint(access_token: str) -> str:
    return hashlib.sha256(access_token.encode()).hexdigest()


def _number(value: object, default: float) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
