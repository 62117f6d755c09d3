"""The project identity and the credentials this emulator issues.

The gateway hands these to functions in the `x-zc-*` headers, exactly as the platform does, and
the REST API accepts only them. They are created once per data directory and kept there, so they
stay valid across restarts.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from catalyst_local.ids import new_id


def _token() -> str:
    # Zoho's opaque token shape: 1000.<hex>.<hex>
    return f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"


@dataclass(frozen=True)
class Credentials:
    project_id: str
    project_key: str  # the ZAID
    project_domain: str
    environment: str
    admin_token: str
    user_token: str

    @classmethod
    def load_or_create(cls, data_dir: Path, project_name: str) -> Credentials:
        path = data_dir / "credentials.json"
        if path.exists():
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        project_id = new_id(13)
        credentials = cls(
            project_id=project_id,
            project_key=new_id(11),
            # Only dialled by the SDK in the cloud's IS_LOCAL mode, which catalyst-local never sets.
            project_domain=f"{project_name.lower().replace('_', '-')}-{project_id[-6:]}"
                           ".development.catalystserverless.com",
            environment="Development",
            admin_token=_token(),
            user_token=_token(),
        )
        write_private_json(path, asdict(credentials))
        return credentials

    def is_issued(self, authorization: str | None) -> bool:
        """Whether an Authorization header carries a token or ticket this emulator issued."""
        if not authorization:
            return False
        scheme, _, token = authorization.partition(" ")
        if scheme not in ("Zoho-oauthtoken", "Zoho-ticket"):
            return False
        token = token.strip()
        return any(secrets.compare_digest(token, issued)
                   for issued in (self.admin_token, self.user_token))

    def function_headers(self, request_id: str, user_type: str = "admin") -> dict[str, str]:
        """The `x-zc-*` headers the platform adds to every function request."""
        return {
            "x-zc-projectid": self.project_id,
            "x-zc-project-key": self.project_key,
            "x-zc-project-domain": self.project_domain,
            "x-zc-environment": self.environment,
            "x-zc-admin-cred-type": "token",
            "x-zc-admin-cred-token": self.admin_token,
            "x-zc-user-cred-type": "token",
            "x-zc-user-cred-token": self.user_token,
            "x-zc-user-type": user_type,
            "x-zc-instance-id": "local",
            "x-zc-request-uuid": request_id,
        }


def write_private_json(path: Path, value: object) -> None:
    """Writes a JSON file only its owner can read, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
