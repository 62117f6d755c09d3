"""What a function folder holds: its own Python code, what imports from its root, what deploys."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from catalyst_local.deploy.ignore import matching_pattern

_EXTENSION_SUFFIXES = (".so", ".pyd")


def deployed_files(folder: Path, patterns: list[str]) -> Iterator[Path]:
    """Every file `catalyst deploy` puts in the zip: all of the folder but what ignore drops."""
    for directory, subdirectories, files in os.walk(folder):
        base = Path(directory)
        subdirectories[:] = sorted(
            name for name in subdirectories
            if matching_pattern(_relative(base / name, folder), patterns) is None)
        for name in sorted(files):
            path = base / name
            if matching_pattern(_relative(path, folder), patterns) is None:
                yield path


def own_python_files(folder: Path, patterns: list[str]) -> list[Path]:
    """The function's own .py files: not ignored, not cache, not installed distributions, and
    not in folders whose names Python cannot import (such as a hidden staging copy)."""
    skipped = installed_top_levels(folder)
    files = []
    for path in deployed_files(folder, patterns):
        relative = path.relative_to(folder)
        folders = relative.parts[:-1]
        if path.suffix != ".py" or (folders and folders[0] in skipped):
            continue
        if any(part == "__pycache__" or not part.isidentifier() for part in folders):
            continue
        files.append(path)
    return files


def root_modules(folder: Path) -> set[str]:
    """Names `import x` finds with the function folder at sys.path[0]."""
    names = set(installed_top_levels(folder))
    for entry in folder.iterdir():
        if entry.is_dir() and entry.name.isidentifier():
            names.add(entry.name)  # a package, or a namespace package
        elif entry.suffix == ".py":
            names.add(entry.stem)
        elif entry.suffix in _EXTENSION_SUFFIXES:
            names.add(entry.name.split(".")[0])
    return names


def installed_top_levels(folder: Path) -> set[str]:
    """Top-level names of distributions installed into the folder (`pip install --target`)."""
    names: set[str] = set()
    for info in folder.glob("*.dist-info"):
        record = info / "RECORD"
        if not record.is_file():
            continue
        for line in record.read_text(encoding="utf-8", errors="replace").splitlines():
            first = line.split(",")[0].split("/")[0]
            if first.endswith(".py"):
                names.add(first[:-3])
            elif first and not first.endswith((".dist-info", ".data")) and first != "..":
                names.add(first)
    return names


def _relative(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()
