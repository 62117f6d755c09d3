"""Catalyst's Python stack names (`deployment.stack`) and the interpreter each one runs."""

from __future__ import annotations

import re

from catalyst_local.project import PYTHON_STACKS

END_OF_LIFE = ("python_3_9",)
_LOOSE = re.compile(r"^python[ _.-]?3[ _.-]?(\d{1,2})$", re.IGNORECASE)


def python_version(stack: str) -> str | None:
    """"3.11" for `python_3_11`; None for anything that is not a Catalyst Python stack."""
    if stack not in PYTHON_STACKS:
        return None
    return stack.removeprefix("python_").replace("_", ".")


def intended_stack(stack: str) -> str | None:
    """The stack a misspelt name such as `python39` or `Python3.11` most likely means."""
    match = _LOOSE.match(stack.strip())
    if match is None:
        return None
    candidate = f"python_3_{int(match.group(1))}"
    return candidate if candidate in PYTHON_STACKS else None


def supported_stacks() -> list[str]:
    return [stack for stack in PYTHON_STACKS if stack not in END_OF_LIFE]
