"""One HTTP client for every Zoho call, with bounded retries and token refresh on 401.

Two retry policies:

- `SAFE` (token refresh, uploads, reads): 429, 5xx, connection failures and lost answers are
  retried with exponential backoff, honouring `Retry-After`.
- `ONCE` (bulk write job creation): only what Zoho certainly did not process is retried, that is
  429 and a connection that never opened. A request whose answer is lost raises
  `OutcomeUnknown`, because sending it again could create a second job.

A 401 `INVALID_TOKEN` or `AUTHENTICATION_FAILURE` refreshes the token and retries once;
`OAUTH_SCOPE_MISMATCH` is returned as it is (a new token would not have the scope either).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

import httpx

from crm_import.errors import OutcomeUnknown, ZohoError
from crm_import.zoho_auth import TokenManager

log = logging.getLogger("crm_import.zoho_http")

SAFE = "safe"
ONCE = "once"
_REFRESH_CODES = frozenset({"INVALID_TOKEN", "AUTHENTICATION_FAILURE"})
TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class ZohoHttp:
    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        max_attempts: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client or httpx.Client(timeout=TIMEOUT)
        self.tokens: TokenManager | None = None
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._sleep = sleep

    def close(self) -> None:
        self.client.close()

    def send(
        self,
        method: str,
        url: str,
        *,
        what: str,
        auth: bool = True,
        policy: str = SAFE,
        headers: dict[str, str] | None = None,
        body: Callable[[], dict] | None = None,
        stream: bool = False,
        follow_redirects: bool = False,
        **kwargs,
    ) -> httpx.Response:
        """Sends one logical request; `body()` builds fresh body arguments for every attempt.

        Returns the final response, whatever its status; raises `ZohoError` when no answer came.
        With `stream` the body is left unread, and the caller must close the response.
        """
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            request_headers = dict(headers or {})
            token = None
            if auth:
                if self.tokens is None:
                    raise RuntimeError("no token manager for an authorised Zoho call")
                token = self.tokens.token()
                request_headers["Authorization"] = f"Zoho-oauthtoken {token.access_token}"
            arguments = dict(kwargs)
            if body is not None:
                arguments.update(body())

            try:
                request = self.client.build_request(
                    method, url, headers=request_headers, **arguments)
                response = self.client.send(
                    request, stream=stream, follow_redirects=follow_redirects)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                if attempt < self._max_attempts:
                    self._wait(what, f"could not connect ({type(exc).__name__})", attempt, None)
                    continue
                raise ZohoError(0, None, "could not connect", what) from None
            except (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError) as exc:
                if policy == ONCE:
                    raise OutcomeUnknown(0, None, "the answer was lost", what) from None
                if attempt < self._max_attempts:
                    self._wait(what, f"no answer ({type(exc).__name__})", attempt, None)
                    continue
                raise ZohoError(0, None, "no answer", what) from None
            except httpx.HTTPError as exc:
                raise ZohoError(0, None, type(exc).__name__, what) from None

            status = response.status_code
            if status == 401 and token is not None and not refreshed:
                if stream:
                    response.read()  # an error body is small; its code decides the refresh
                if error_code(response) in _REFRESH_CODES:
                    refreshed = True
                    attempt -= 1
                    log.warning("%s: Zoho refused the access token; refreshing it once", what)
                    response.close()
                    self.tokens.invalidate(token.access_token)
                    continue
            retryable = status == 429 or (status >= 500 and policy == SAFE)
            if retryable and attempt < self._max_attempts:
                response.close()
                self._wait(what, f"HTTP {status}", attempt, response.headers.get("Retry-After"))
                continue
            return response

    def _wait(self, what: str, cause: str, attempt: int, retry_after: str | None) -> None:
        delay = _retry_after_seconds(retry_after)
        if delay is None:
            delay = self._base_delay * 2 ** (attempt - 1)
        delay = min(max(delay, 0.0), self._max_delay)
        log.warning(
            "%s: %s; retrying in %.1f s (attempt %d of %d)",
            what, cause, delay, attempt + 1, self._max_attempts,
        )
        self._sleep(delay)


def error_code(response: httpx.Response) -> str | None:
    """Zoho's `code` from an error body, if the body is JSON and has one."""
    body = json_body(response)
    code = body.get("code") if isinstance(body, dict) else None
    return str(code) if code else None


def json_body(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.timestamp() - time.time()
