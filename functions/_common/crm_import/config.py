"""Settings read from the function's environment variables.

The four OAuth variables and `CODELIB_SECRET_KEY` keep the names of the original CodeLib. The
rest are optional: `ZOHO_API_DOMAIN` (API host base), `ZOHO_UPLOAD_URL` (the full upload endpoint),
`MAX_UPLOAD_BYTES` (service upload limit), `BATCH_MAX_BYTES` (CSV bytes per batch) and
`MAX_BATCHES` (batches per import). Hosts default to the data center of `REFRESH_TOKEN_URL`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from crm_import.errors import ConfigurationError

MAX_UPLOAD_BYTES = 80 * 1024 * 1024
# Zoho refuses a ZIP over 25 MB. Just under 25,000,000 bytes of CSV leaves room for the ZIP's own
# headers even when the data does not compress at all.
BATCH_MAX_BYTES = 24_900_000
BATCH_MAX_ROWS = 25_000
MAX_COLUMNS = 200
# The longest value one Cache key holds, in characters.
CACHE_VALUE_MAX = 16_000
# Every bulk write job costs 500 API credits and the import record must fit one cache value
# (16,000 characters): 200 batches is 5,000,000 rows, more than a day's credits on most editions.
MAX_BATCHES = 200


@dataclass(frozen=True)
class Config:
    client_id: str
    client_secret: str
    refresh_token: str
    token_url: str
    api_domain: str | None = None
    upload_url: str | None = None
    secret_key: str | None = None
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    batch_max_bytes: int = BATCH_MAX_BYTES
    max_batches: int = MAX_BATCHES

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        missing = [
            name for name in ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN", "REFRESH_TOKEN_URL")
            if not env.get(name)
        ]
        if missing:
            raise ConfigurationError("missing environment variables: " + ", ".join(missing))
        return cls(
            client_id=env["CLIENT_ID"],
            client_secret=env["CLIENT_SECRET"],
            refresh_token=env["REFRESH_TOKEN"],
            token_url=env["REFRESH_TOKEN_URL"],
            api_domain=(env.get("ZOHO_API_DOMAIN") or "").rstrip("/") or None,
            upload_url=env.get("ZOHO_UPLOAD_URL") or None,
            secret_key=env.get("CODELIB_SECRET_KEY") or None,
            max_upload_bytes=_positive_int(env, "MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES),
            batch_max_bytes=_positive_int(env, "BATCH_MAX_BYTES", BATCH_MAX_BYTES),
            max_batches=_positive_int(env, "MAX_BATCHES", MAX_BATCHES),
        )


def max_upload_bytes(env: Mapping[str, str] | None = None) -> int:
    """The service's upload limit, which needs none of the OAuth variables."""
    return _positive_int(os.environ if env is None else env, "MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES)


def size_label(limit: int) -> str:
    """The limit as the service's message words it: 80 MiB reads "80 MB", as the original did."""
    for unit in (1024 * 1024, 1000 * 1000):
        if limit % unit == 0:
            return f"{limit // unit} MB"
    return f"{limit} bytes"


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number of bytes") from None
    if value <= 0:
        raise ConfigurationError(f"{name} must be positive")
    return value
