"""Keeps secrets out of everything the admin API and the console show."""

from __future__ import annotations

import re

from catalyst_local.logs import MASK
from catalyst_local.runtime import Runtime

SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|KEY|CREDENTIAL", re.IGNORECASE)
# Zoho's and this emulator's token shape, `1000.<hex>.<hex>`, wherever it turns up.
TOKEN_SHAPE = re.compile(r"\b1000\.[0-9a-f]{16,}\.[0-9a-f]{16,}\b")
# Shorter values would mask ordinary words.
MIN_SECRET_CHARS = 8


def is_secret_name(name: str) -> bool:
    """Whether an env variable's name says it holds a secret; a `*_URL` never does."""
    return bool(SECRET_NAME.search(name)) and not name.upper().endswith("_URL")


class Masker:
    """Masks the secrets one runtime holds: its tokens, and every secret-named env value."""

    def __init__(self, runtime: Runtime):
        credentials = runtime.credentials
        values = {credentials.admin_token, credentials.user_token}
        for name in runtime.project.functions:
            values.update(value for key, value in runtime.env_for(name).items()
                          if is_secret_name(key))
        # Longest first, so a secret that contains another is masked whole.
        self._values = sorted((v for v in values if v and len(v) >= MIN_SECRET_CHARS),
                              key=len, reverse=True)

    def env(self, env: dict[str, str]) -> dict[str, str]:
        """An env as it may be shown: secret-named values masked whole, the rest scrubbed."""
        return {key: MASK if is_secret_name(key) else self.text(value)
                for key, value in env.items()}

    def text(self, text: str) -> str:
        """`text` with every known secret and anything shaped like a token masked."""
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        return TOKEN_SHAPE.sub(MASK, text)
