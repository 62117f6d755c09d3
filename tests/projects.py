"""Throwaway Catalyst projects built inside tests."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any


def write_function(root: Path, name: str, kind: str, code: str,
                   env: dict[str, str] | None = None) -> Path:
    folder = root / "functions" / name
    folder.mkdir(parents=True, exist_ok=True)
    config = {"deployment": {"name": name, "stack": "python_3_11", "type": kind,
                             "env_variables": env or {}},
              "execution": {"main": "main.py"}}
    (folder / "catalyst-config.json").write_text(json.dumps(config, indent=2))
    (folder / "main.py").write_text(textwrap.dedent(code))
    return folder


def write_project(root: Path, functions: list[str], *, folders: list[str] = (),
                  segments: list[str] = (), rules: list[dict[str, Any]] = (),
                  settings: dict[str, Any] | None = None, name: str = "demo") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    config = {
        "functions": {"targets": list(functions), "source": "functions", "ignore": []},
        "catalyst_local": {
            "project": {"name": name},
            "components": {
                "Filestore": [{"type": "folder", "name": n} for n in folders],
                "Cache": [{"type": "segment", "name": n} for n in segments],
                "EventListener": [{"type": "rule", **rule} for rule in rules],
            },
            "settings": settings or {},
        },
    }
    (root / "catalyst.json").write_text(json.dumps(config, indent=2))
    return root
