"""What `serve` provisions so the project's functions run offline with no edits.

A function that declares `REFRESH_TOKEN_URL` talks to Zoho: it gets the embedded sandbox's client,
refresh token and hosts, unless the local env file gives it its own `REFRESH_TOKEN_URL`. A function
that declares `CODELIB_SECRET_KEY` gets a random local key, kept in the data directory so it stays
the same across restarts. Values in the git-ignored local env file win over both, which is how a
developer points the same functions at real Zoho.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from catalyst_local.baas.credentials import write_private_json
from catalyst_local.runtime import Runtime

ZOHO_MARKER = "REFRESH_TOKEN_URL"
# What the sandbox's function_env() provides to a function that declares ZOHO_MARKER.
SANDBOX_KEYS = ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN", "REFRESH_TOKEN_URL",
                "ZOHO_API_DOMAIN", "ZOHO_UPLOAD_URL")
SECRET_KEY = "CODELIB_SECRET_KEY"


def local_secret_key(data_dir: Path) -> str:
    path = data_dir / "local-secrets.json"
    stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if SECRET_KEY not in stored:
        stored[SECRET_KEY] = secrets.token_urlsafe(24)
        write_private_json(path, stored)
    return stored[SECRET_KEY]


def provision_wiring(runtime: Runtime) -> dict[str, dict[str, str]]:
    wiring: dict[str, dict[str, str]] = {}
    for name, function in runtime.project.functions.items():
        values: dict[str, str] = {}
        local = runtime.project.local_env.get(name, {})
        # A local REFRESH_TOKEN_URL means real Zoho: none of the sandbox's hosts may linger.
        if (ZOHO_MARKER in function.env_variables and ZOHO_MARKER not in local
                and runtime.sandbox is not None):
            values.update(runtime.sandbox.function_env(name))
        if SECRET_KEY in function.env_variables:
            values[SECRET_KEY] = local_secret_key(runtime.data_dir)
        wiring[name] = values
    return wiring


def zoho_target(runtime: Runtime, name: str) -> str | None:
    """Which Zoho a function will call, for the start-up banner: None when it calls none."""
    url = runtime.env_for(name).get(ZOHO_MARKER)
    if url is None:
        return None
    if url.startswith(runtime.base_url + "/zoho/"):
        return "the embedded Zoho sandbox"
    return f"Zoho at {url.split('/oauth')[0]}"
