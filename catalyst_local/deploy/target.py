"""One function target as doctor sees it: what its catalyst-config.json says, checked leniently.

The server's loader (`catalyst_local.project`) stops at the first broken rule; doctor keeps
going, so everything a function gets wrong shows up in one run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Target:
    name: str  # the folder name listed in functions.targets
    folder: Path
    config_path: Path
    config: dict[str, Any] = field(default_factory=dict)
    kind: str | None = None  # the type the runtime uses; None when unusable
    stack: str | None = None  # a valid Python stack; None when unusable
    main: Path | None = None  # the entry file, when it exists

    @property
    def deployment(self) -> dict[str, Any]:
        value = self.config.get("deployment")
        return value if isinstance(value, dict) else {}


@dataclass
class ProjectFiles:
    """The project-wide facts every function check needs, from catalyst.json."""

    root: Path
    config_path: Path
    source_dir: Path
    targets: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    scripts: dict[str, str] = field(default_factory=dict)

    def vendoring_script(self) -> str | None:
        """The hook that copies shared code into function folders before a deploy."""
        for hook in ("predeploy", "preserve"):
            script = self.scripts.get(hook)
            if isinstance(script, str) and script.strip():
                return script
        return None
