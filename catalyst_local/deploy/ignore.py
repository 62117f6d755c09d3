"""`functions.ignore`: the globs `catalyst deploy` leaves out of each function's zip.

TODO: the Catalyst CLI's exact glob dialect is not documented. A pattern here drops a file when
it matches the file's path relative to the function folder, any folder on that path, or the bare
file name; a leading `**/` matches at any depth. Negated (`!`) patterns are not supported.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import PurePosixPath


def matching_pattern(relative: str, patterns: list[str]) -> str | None:
    """The first pattern that drops the file at `relative` (posix, inside the function folder)."""
    parts = PurePosixPath(relative).parts
    candidates = ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]
    candidates += list(parts)
    for pattern in patterns:
        pattern = pattern.strip().rstrip("/")
        if not pattern or pattern.startswith("#"):
            continue
        forms = {pattern, pattern.removeprefix("**/"), pattern.removeprefix("./")}
        if any(fnmatchcase(candidate, form) for form in forms for candidate in candidates):
            return pattern
    return None
