"""Copy the shared `crm_import` package into every function folder.

Each Catalyst function deploys as its own zip, so each needs its own copy: the project runs this
script as its `preserve` and `predeploy` hooks (`python functions/_common/vendor.py`, from the
project root). A function folder is any sibling of `_common` with a `catalyst-config.json`.
The copy is synchronised, not replaced: only files whose bytes differ are written and files gone
from the source are removed, so an unchanged copy is left untouched and a running local server's
file watcher has nothing to reload. Standard library only.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

PACKAGE = "crm_import"


def _source_files(source: Path) -> dict[Path, bytes]:
    files = {}
    for path in sorted(source.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files[path.relative_to(source)] = path.read_bytes()
    return files


def _sync(files: dict[Path, bytes], target: Path) -> bool:
    """Makes `target` hold exactly `files`; returns whether anything changed."""
    changed = False
    if target.is_symlink() or target.is_file():
        target.unlink()
        changed = True
    for relative, content in files.items():
        path = target / relative
        if path.is_file() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_bytes(content)
        os.replace(temp, path)  # never a half-written module for an importer to find
        changed = True
    if target.is_dir():
        for path in sorted(target.rglob("*"), reverse=True):
            relative = path.relative_to(target)
            if "__pycache__" in relative.parts:
                continue
            if path.is_file() and relative not in files:
                path.unlink()
                changed = True
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
                changed = True
    return changed


def vendor(functions_dir: Path) -> list[tuple[Path, bool]]:
    """Synchronises every function folder's copy; returns each target and whether it changed."""
    source = functions_dir / "_common" / PACKAGE
    if not (source / "__init__.py").is_file():
        raise SystemExit(f"vendor: {source} is not a package")
    files = _source_files(source)
    results = []
    for folder in sorted(functions_dir.iterdir()):
        if folder.name.startswith("_") or not (folder / "catalyst-config.json").is_file():
            continue
        target = folder / PACKAGE
        results.append((target, _sync(files, target)))
        shutil.rmtree(folder / f".{PACKAGE}.tmp", ignore_errors=True)  # an older script's staging
    return results


def main() -> int:
    functions_dir = Path(__file__).resolve().parent.parent
    for target, changed in vendor(functions_dir):
        state = "updated" if changed else "up to date"
        print(f"vendor: {PACKAGE} -> {target.relative_to(functions_dir.parent)} ({state})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
