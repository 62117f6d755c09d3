"""The one object that holds a running emulator's parts, handed to every route and service."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    # Local values the emulator provisions per function (sandbox credentials, a local secret key),
    # laid over `env_variables` and under the git-ignored local env file.
    wiring: dict[str, dict[str, str]] = field(default_factory=dict)

    def env_for(self, name: str) -> dict[str, str]:
        """The environment a function's worker gets from the project: its `env_variables`, then
        the emulator's wiring, then the git-ignored local values, which always win."""
        function = self.project.functions[name]
        return {**function.env_variables, **self.wiring.get(name, {}),
                **self.project.local_env.get(name, {})}

    def project_details(self) -> dict[str, str]:
        return {"id": self.credentials.project_id, "project_name": self.project.name,
                "project_type": "Live"}
