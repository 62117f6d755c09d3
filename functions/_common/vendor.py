"""Copy the shared `crm_import` package into every function folder.

Each Catalyst function deploys as its own zip, so each needs its own copy: the project runs this
script as its `preserve` and `predeploy` hooks (`python functions/_common/vendor.py`, from the
project root). A function folder is any sibling of `_common` with a `catalyst-config.json`. The
copy is replaced whole each time, so stale and deleted files never survive. Standard library only.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

PACKAGE = "crm_import"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")


def vendor(functions_dir: Path) -> list[Path]:
    source = functions_dir / "_common" / PACKAGE
    if not (source / "__init__.py").is_file():
        raise SystemExit(f"vendor: {source} is not a package")
    targets = []
    for folder in sorted(functions_dir.iterdir()):
        if folder.name.startswith("_") or not (folder / "catalyst-config.json").is_file():
            continue
        target = folder / PACKAGE
        staging = folder / f".{PACKAGE}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(source, staging, ignore=IGNORED)
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.exists():
            shutil.rmtree(target)
        staging.rename(target)
        targets.append(target)
    return targets


def main() -> int:
    functions_dir = Path(__file__).resolve().parent.parent
    for target in vendor(functions_dir):
        print(f"vendor: {PACKAGE} -> {target.relative_to(functions_dir.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
