"""Which distributions provide which import names, from what is installed here.

`importlib.metadata.packages_distributions()` knows only distributions installed in this
interpreter; a requirement that is not installed here has unknown import names, and doctor
says so rather than guess wrong.
"""

from __future__ import annotations

import functools
import re
import sys
from importlib import metadata

from catalyst_local.deploy.requirements import normalize

# Catalyst's Python runtime imports these before the function folder joins sys.path, so user code
# can import them without listing them (flask==2.3.3 and requests==2.31.0 with their
# dependencies). TODO: the exact versions of the unpinned ones (Werkzeug and below) are unknown.
RUNTIME_MODULES = frozenset({
    "flask", "werkzeug", "jinja2", "markupsafe", "itsdangerous", "click", "blinker",
    "requests", "urllib3", "idna", "certifi", "charset_normalizer", "gunicorn",
})
RUNTIME_PINS = {"flask": "2.3.3", "requests": "2.31.0"}

# TODO: this is the stdlib of the interpreter running doctor, not of the function's stack.
STDLIB_MODULES = frozenset(sys.stdlib_module_names) | {"__future__"}

_REQUIRES_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EXTRA_MARKER = re.compile(r"\bextra\s*==")


@functools.cache
def distributions_by_module() -> dict[str, tuple[str, ...]]:
    """Import name -> normalized names of the installed distributions that provide it."""
    return {module: tuple(sorted({normalize(dist) for dist in dists}))
            for module, dists in metadata.packages_distributions().items()}


@functools.cache
def installed_version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


@functools.cache
def modules_of(dist: str) -> frozenset[str]:
    """The import names an installed distribution provides; empty when it is not installed."""
    return frozenset(module for module, dists in distributions_by_module().items()
                     if normalize(dist) in dists)


def dependency_closure(dists: set[str]) -> set[str]:
    """The distributions and, where installed here, everything they require (extras aside)."""
    closure: set[str] = set()
    pending = [normalize(dist) for dist in dists]
    while pending:
        dist = pending.pop()
        if dist in closure:
            continue
        closure.add(dist)
        pending += _direct_requirements(dist)
    return closure


@functools.cache
def _direct_requirements(dist: str) -> tuple[str, ...]:
    try:
        requires = metadata.requires(dist) or []
    except metadata.PackageNotFoundError:
        return ()
    names = []
    for line in requires:
        if _EXTRA_MARKER.search(line):
            continue
        match = _REQUIRES_NAME.match(line)
        if match:
            names.append(normalize(match.group(1)))
    return tuple(names)
