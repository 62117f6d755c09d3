"""Read-only views of a running emulator, shared by the admin API and the console."""

from __future__ import annotations

from collections import Counter
from typing import Any

from catalyst_local.admin.lookup import find
from catalyst_local.admin.masking import Masker
from catalyst_local.events.store import STATES
from catalyst_local.runtime import Runtime

RECENT_INVOCATIONS = 20


def status(runtime: Runtime) -> dict[str, Any]:
    """The server, its functions' states, events by state, segments and folders with counts."""
    assert runtime.functions and runtime.cache and runtime.filestore
    counts = Counter(event["state"] for event in (runtime.events.list() if runtime.events
                                                   else []))
    return {
        "url": runtime.base_url,
        "project": runtime.project.name,
        "project_id": runtime.credentials.project_id,
        "data_dir": str(runtime.data_dir),
        "functions": {name: {"type": value["type"], "state": value["state"],
                             "restarts": value["restarts"]}
                      for name, value in runtime.functions.status().items()},
        "events": {state: counts.get(state, 0) for state in STATES},
        "events_paused": bool(runtime.events and runtime.events.paused),
        "segments": [{"id": segment.id, "name": segment.name,
                      "keys": len(runtime.cache.entries(segment.id))}
                     for segment in runtime.cache.segments()],
        "folders": [{"id": folder["id"], "name": folder["folder_name"],
                     "files": len(runtime.filestore.files(folder["id"]))}
                    for folder in runtime.filestore.folders()],
    }


def function_names(runtime: Runtime) -> list[str]:
    return list(runtime.project.functions)


def function(runtime: Runtime, name: str) -> dict[str, Any]:
    """One function: its worker's state, masked env and last invocations (newest first)."""
    assert runtime.functions is not None
    find("function", name, function_names(runtime))
    masker = Masker(runtime)
    worker = runtime.functions.status()[name]
    invocations = runtime.functions.invocations(name)[-RECENT_INVOCATIONS:]
    return {
        "name": name,
        **worker,
        "last_error": masker.text(worker["last_error"]) if worker["last_error"] else None,
        "env": masker.env(runtime.env_for(name)),
        "invocations": [{**call, "error": masker.text(call["error"]) if call["error"] else None}
                        for call in reversed(invocations)],
    }


def rules(runtime: Runtime) -> list[dict[str, Any]]:
    return [{"name": rule.name, "source": rule.source, "entities": list(rule.entities),
             "actions": list(rule.actions), "targets": list(rule.targets),
             "enabled": rule.enabled} for rule in runtime.project.rules]
