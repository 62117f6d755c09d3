"""The environment a function's worker starts with, as the Catalyst runtime would see it."""

from __future__ import annotations

import logging
import os

from catalyst_local.project import Function
from catalyst_local.runtime import Runtime

logger = logging.getLogger("catalyst_local.functions")

# The runtime's local mode, which also makes the SDK force https (see the platform notes).
IS_LOCAL = "X_ZOHO_CATALYST_IS_LOCAL"
INHERITED_PREFIXES_DROPPED = ("X_ZOHO_", "CATALYST_")


def worker_environment(runtime: Runtime, function: Function) -> dict[str, str]:
    """The server's environment without any Catalyst variables, then the function's own
    variables, then what catalyst-local sets so the SDK calls this emulator."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(INHERITED_PREFIXES_DROPPED)}

    variables = dict(runtime.env_for(function.name))
    if variables.pop(IS_LOCAL, None) is not None:
        logger.warning("Function %s sets %s; it is dropped, because it would make the SDK call "
                       "https hosts instead of this emulator", function.name, IS_LOCAL)

    base_url = runtime.base_url.rstrip("/")
    timeout = (runtime.settings.event_timeout_ms if function.type == "event"
               else runtime.settings.advancedio_timeout_ms)
    fixed = {
        "X_ZOHO_CATALYST_CONSOLE_URL": base_url,
        "X_ZOHO_CATALYST_ACCOUNTS_URL": base_url,
        "CATALYST_MAX_TIMEOUT": str(timeout),
        "CATALYST_FUNCTION_TYPE": function.type,
    }
    for key in sorted(fixed.keys() & variables.keys()):
        logger.warning("Function %s sets %s; catalyst-local sets it itself, so it is ignored",
                       function.name, key)

    env.update(variables)
    env.update(fixed)
    # Output reaches the host line by line, as it is written.
    env["PYTHONUNBUFFERED"] = "1"
    return env
