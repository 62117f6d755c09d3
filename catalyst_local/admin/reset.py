"""Wiping a running emulator's data while keeping what the project provisioned."""

from __future__ import annotations

import logging
from typing import Any

from catalyst_local.runtime import Runtime

logger = logging.getLogger("catalyst_local.admin")

def reset(runtime: Runtime) -> dict[str, Any]:
    """Removes every Cache key, File Store file, event, sandbox record and bulk write job.

    Segments, folders, ids, credentials and the sandbox's orgs, clients and refresh tokens stay,
    so running functions and scripts keep working without a restart. Returns what was removed.
    """
    assert runtime.cache is not None and runtime.filestore is not None
    keys = runtime.cache.clear()
    files = 0
    for folder in runtime.filestore.folders():
        for file in runtime.filestore.files(folder["id"]):
            runtime.filestore.delete_file(folder["id"], file["id"])
            files += 1
    events = _clear_events(runtime)
    jobs = len(runtime.sandbox.jobs()) if runtime.sandbox else 0
    if runtime.sandbox is not None:
        runtime.sandbox.reset()
    logger.info("Reset: %d keys, %d files, %d events and %d jobs removed", keys, files, events,
                jobs)
    return {"keys": keys, "files": files, "events": events, "jobs": jobs}


def _clear_events(runtime: Runtime) -> int:
    return runtime.events.store.clear() if runtime.events is not None else 0
