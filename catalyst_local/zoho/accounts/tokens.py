"""Zoho Accounts state and rules: clients, refresh tokens, access tokens, grant codes.

Mirrors the documented lifetimes and limits: access tokens live an hour; 10 refreshes per refresh
token in a sliding 10 minutes; at most 15 active access tokens per refresh token (the 16th evicts
the oldest); at most 20 refresh tokens per client (the 21st evicts the oldest and its access
tokens); single-use grant codes valid for 3 minutes. Clients, and therefore tokens, belong to one
data center. Scopes are not modelled.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from catalyst_local.zoho.accounts import errors
from catalyst_local.zoho.store import Store

logger = logging.getLogger("catalyst_local.zoho")

ACCESS_TOKEN_SECONDS = 3600
REFRESH_WINDOW_SECONDS = 600
REFRESHES_PER_WINDOW = 10
ACTIVE_ACCESS_TOKENS = 15
REFRESH_TOKENS_PER_CLIENT = 20
GRANT_CODE_SECONDS = 180


def opaque_token() -> str:
    """Zoho's token shape, `1000.<hex>.<hex>`."""
    return f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"


@dataclass(frozen=True)
class Grant:
    """Who an access token acts for."""

    zgid: str
    dc: str


class Accounts:
    def __init__(self, store: Store, clock: Callable[[], float]):
        self._store, self._clock = store, clock

    def _client(self, dc: str, client_id: str, client_secret: str):
        row = self._store.one("SELECT * FROM clients WHERE client_id = ? AND dc = ?",
                              client_id or "", dc)
        if row is None or not hmac.compare_digest(row["client_secret"], client_secret or ""):
            raise errors.invalid_client()
        return row

    def issue_refresh_token(self, client_id: str, provisioned: bool = False) -> str:
        """A new refresh token for the client's org; the oldest beyond 20 is deleted."""
        client = self._store.one("SELECT * FROM clients WHERE client_id = ?", client_id)
        token = opaque_token()
        with self._store.transaction() as store:
            store.run("INSERT INTO refresh_tokens (token, client_id, dc, zgid, created, "
                      "provisioned) VALUES (?, ?, ?, ?, ?, ?)", token, client_id, client["dc"],
                      client["zgid"], self._clock(), int(provisioned))
            live = store.all("SELECT token FROM refresh_tokens WHERE client_id = ? AND "
                             "revoked = 0 ORDER BY created, rowid", client_id)
            for old in live[:max(0, len(live) - REFRESH_TOKENS_PER_CLIENT)]:
                self._drop_refresh_token(store, old["token"])
                logger.info("Oldest refresh token of a client evicted by the 21st")
        return token

    @staticmethod
    def _drop_refresh_token(store: Store, token: str) -> None:
        store.run("UPDATE refresh_tokens SET revoked = 1 WHERE token = ?", token)
        store.run("DELETE FROM access_tokens WHERE refresh_token = ?", token)

    def refresh(self, dc: str, client_id: str, client_secret: str, refresh_token: str) -> str:
        """The refresh-token grant: a new access token, or the error Zoho answers."""
        self._client(dc, client_id, client_secret)
        row = self._store.one("SELECT * FROM refresh_tokens WHERE token = ? AND client_id = ? "
                              "AND revoked = 0", refresh_token or "", client_id)
        if row is None:
            raise errors.invalid_code()
        now = self._clock()
        with self._store.transaction() as store:
            recent = store.one("SELECT COUNT(*) AS n FROM refreshes WHERE refresh_token = ? "
                               "AND at > ?", refresh_token, now - REFRESH_WINDOW_SECONDS)["n"]
            if recent >= REFRESHES_PER_WINDOW:
                logger.warning("Token refresh throttled: %d refreshes in 10 minutes", recent)
                raise errors.access_denied()
            store.run("INSERT INTO refreshes (refresh_token, at) VALUES (?, ?)",
                      refresh_token, now)
            return self._issue_access_token(store, row, now)

    def _issue_access_token(self, store: Store, refresh_row, now: float) -> str:
        token = opaque_token()
        store.run("INSERT INTO access_tokens (token, refresh_token, client_id, dc, zgid, issued, "
                  "expires) VALUES (?, ?, ?, ?, ?, ?, ?)", token, refresh_row["token"],
                  refresh_row["client_id"], refresh_row["dc"], refresh_row["zgid"], now,
                  now + ACCESS_TOKEN_SECONDS)
        active = store.all("SELECT token FROM access_tokens WHERE refresh_token = ? AND "
                           "expires > ? ORDER BY issued, rowid", refresh_row["token"], now)
        for old in active[:max(0, len(active) - ACTIVE_ACCESS_TOKENS)]:
            store.run("DELETE FROM access_tokens WHERE token = ?", old["token"])
            logger.info("Oldest active access token evicted by the 16th")
        return token

    def mint_grant_code(self, client_id: str, access_type: str = "offline",
                        redirect_uri: str | None = None,
                        lifetime_seconds: float = GRANT_CODE_SECONDS) -> str:
        """A single-use grant code, as a user's consent (or a self-client's Generate Code) makes.

        Offline codes yield a refresh token; online ones only an access token.
        """
        client = self._store.one("SELECT * FROM clients WHERE client_id = ?", client_id)
        if client is None:
            raise ValueError("the client id is not one the sandbox provisioned")
        if access_type not in ("offline", "online"):
            raise ValueError("access_type must be 'offline' or 'online'")
        code = opaque_token()
        self._store.run("INSERT INTO grant_codes (code, client_id, dc, zgid, access_type, "
                        "redirect_uri, expires) VALUES (?, ?, ?, ?, ?, ?, ?)", code, client_id,
                        client["dc"], client["zgid"], access_type, redirect_uri,
                        self._clock() + lifetime_seconds)
        return code

    def exchange_code(self, dc: str, client_id: str, client_secret: str, code: str,
                      redirect_uri: str | None) -> tuple[str, str | None]:
        """The authorization-code grant: (access token, refresh token or None when online)."""
        self._client(dc, client_id, client_secret)
        now = self._clock()
        with self._store.transaction() as store:
            row = store.one("SELECT * FROM grant_codes WHERE code = ? AND client_id = ?",
                            code or "", client_id)
            if row is None or row["used"] or row["expires"] <= now:
                raise errors.invalid_code()
            # TODO: Zoho checks redirect_uri against the client's registered URIs; only a URI
            # bound to the code is compared here.
            if row["redirect_uri"] and row["redirect_uri"] != redirect_uri:
                raise errors.invalid_code()
            store.run("UPDATE grant_codes SET used = 1 WHERE code = ?", code)
        if row["access_type"] == "offline":
            refresh_token = self.issue_refresh_token(client_id)
            token_row = self._store.one("SELECT * FROM refresh_tokens WHERE token = ?",
                                        refresh_token)
            with self._store.transaction() as store:
                return self._issue_access_token(store, token_row, now), refresh_token
        # An online grant has no refresh token; its access token stands alone.
        token = opaque_token()
        self._store.run("INSERT INTO access_tokens (token, refresh_token, client_id, dc, zgid, "
                        "issued, expires) VALUES (?, NULL, ?, ?, ?, ?, ?)", token, client_id,
                        row["dc"], row["zgid"], now, now + ACCESS_TOKEN_SECONDS)
        return token, None

    def revoke(self, dc: str, token: str) -> None:
        """Revokes a refresh token and every access token made from it."""
        row = self._store.one("SELECT * FROM refresh_tokens WHERE token = ? AND dc = ? AND "
                              "revoked = 0", token or "", dc)
        if row is None:
            raise errors.invalid_token()
        with self._store.transaction() as store:
            self._drop_refresh_token(store, token)

    def authenticate(self, dc: str, authorization: str | None) -> Grant | None:
        """The grant behind an `Authorization: Zoho-oauthtoken <token>` header on a DC's API
        host, or None for a missing, malformed, expired, evicted or other-DC token."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme != "Zoho-oauthtoken" or not token.strip():
            return None
        row = self._store.one("SELECT * FROM access_tokens WHERE token = ?", token.strip())
        if row is None or row["dc"] != dc or row["expires"] <= self._clock():
            return None
        return Grant(zgid=row["zgid"], dc=row["dc"])

    def clear_sessions(self) -> None:
        """Forgets access tokens, throttle windows and codes, keeping clients and refresh
        tokens."""
        with self._store.transaction() as store:
            for table in ("access_tokens", "refreshes", "grant_codes"):
                store.run(f"DELETE FROM {table}")
