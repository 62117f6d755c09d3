"""The one object that holds a running emulator's parts, handed to every route and service."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalyst_local.baas.credentials import Credentials
from catalyst_local.project import Project
from catalyst_local.settings import Settings

if TYPE_CHECKING:
    from catalyst_local.cache.store import CacheStore
    from catalyst_local.events.bus import EventBus
    from catalyst_local.filestore.store import FileStore
    from catalyst_local.functions.host import FunctionHost


@dataclass
class Runtime:
    project: Project
    settings: Settings
    data_dir: Path
    credentials: Credentials
    # http://127.0.0.1:<port>, known once the server's socket is bound.
    base_url: str = ""
    cache: CacheStore | None = None
    filestore: FileStore | None = None
    events: EventBus | None = None
    functions: FunctionHost | None = None
    sandbox: Any = None

    def env_for(self, name: str) -> dict[str, str]:
        """The environment a function's worker gets from the project: its `env_variables`, then
        the sandbox's wiring (when the sandbox is on), then the git-ignored local values."""
        function = self.project.functions[name]
        wiring = self.sandbox.function_env(name) if self.sandbox is not None else {}
        return {**function.env_variables, **wiring, **self.project.local_env.get(name, {})}

    def project_details(self) -> dict[str, str]:
        return {"id": self.credentials.project_id, "project_name": self.project.name,
                "project_type": "Live"}
