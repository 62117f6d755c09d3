"""Hosts every function of the project, each in its own worker process.

Mirrors what the Catalyst runtime gives a function (§1-§5 of the platform notes): its folder as
working directory, its env variables, the `x-zc-*` header hand-off and the flavour's timeout.
Unlike the cloud, one worker process serves all calls of a function (threaded), and a change to a
function's folder restarts its worker.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import watchfiles

from catalyst_local.functions.environment import worker_environment
from catalyst_local.functions.process import BROKEN, WorkerProcess
from catalyst_local.runtime import Runtime

logger = logging.getLogger("catalyst_local.functions")

# How long start() waits for every worker's first answer before returning anyway.
STARTUP_WAIT_SECONDS = 60.0
# How long a call waits for a worker that is (re)starting.
RESTART_WAIT_SECONDS = 30.0
RELOAD_DEBOUNCE_MS = 300


@dataclass(frozen=True)
class Delivery:
    """The outcome of one event delivery: the status the function answered, or why there was
    none (a timeout, a crash, a worker that is not running)."""

    status: int | None
    error: str | None = None
    duration_ms: float = 0.0
    # Not attempted: the function's code does not load. The event waits for a fix.
    held: bool = False

    @property
    def delivered(self) -> bool:
        return self.status == 200


class FunctionHost:
    """Starts, watches and stops one worker per function, and calls Event functions.

    A worker whose code fails to load counts as ready (state `broken`): the server still starts,
    and every call to that function gets the load error until the code is fixed.
    """

    def __init__(self, runtime: Runtime, *, watch: bool = True):
        self.runtime = runtime
        self.watch = watch
        self.client: httpx.AsyncClient | None = None
        self._workers: dict[str, WorkerProcess] = {}
        self._stop_watching = asyncio.Event()
        self._watcher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Spawns every worker and waits for each one's first answer (or crash)."""
        if not self.runtime.base_url:
            raise RuntimeError("runtime.base_url must be set before functions start")
        # trust_env off: a proxy from the environment must never see calls to 127.0.0.1.
        self.client = httpx.AsyncClient(timeout=None, trust_env=False)
        for function in self.runtime.project.functions.values():
            worker = WorkerProcess(function, worker_environment(self.runtime, function),
                                   self.client, temp_dir=self.temp_dir(function.name))
            self._workers[function.name] = worker
            worker.start()
        if self._workers:
            await asyncio.wait([asyncio.create_task(worker.settled_once())
                                for worker in self._workers.values()],
                               timeout=STARTUP_WAIT_SECONDS)
        if self.watch and self._workers:
            self._stop_watching.clear()
            self._watcher = asyncio.create_task(self._watch_folders(), name="function reload")

    async def stop(self) -> None:
        """Stops every worker: SIGTERM, then SIGKILL after a grace period."""
        self._stop_watching.set()
        if self._watcher is not None:
            await self._watcher
            self._watcher = None
        await asyncio.gather(*(worker.stop() for worker in self._workers.values()))
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    def temp_dir(self, name: str) -> Path:
        """The temp folder (TMPDIR) of function `name`'s worker, inside the data directory."""
        return self.runtime.data_dir / "tmp" / name

    def is_ready(self) -> bool:
        return all(worker.is_up for worker in self._workers.values())

    def status(self) -> dict[str, dict[str, Any]]:
        return {name: worker.status() for name, worker in self._workers.items()}

    def worker(self, name: str) -> WorkerProcess | None:
        return self._workers.get(name)

    def logs(self, name: str) -> list[dict[str, Any]]:
        """The function's last output lines, oldest first."""
        return list(self._workers[name].records.lines)

    def invocations(self, name: str) -> list[dict[str, Any]]:
        """The function's last calls, oldest first."""
        return list(self._workers[name].records.invocations)

    async def invoke_event(self, name: str, body: bytes, request_id: str, *,
                           event_id: str | None = None) -> Delivery:
        """Delivers one event body to an Event function, as the Event Listener does.

        The function's timeout (settings.event_timeout_ms) is enforced here: on timeout the
        worker is killed and restarted, as the cloud ends a timed-out run without a reply.
        """
        worker = self._workers.get(name)
        if worker is None or worker.function.type != "event":
            raise ValueError(f"'{name}' is not an event function of this project")
        if worker.state == BROKEN:
            return Delivery(None, f"the code of function {name} does not load: "
                                  f"{worker.last_error}", held=True)
        timeout_ms = self.runtime.settings.event_timeout_ms
        started = time.monotonic()

        delivery = await self._deliver(worker, body, request_id, timeout_ms)
        delivery = Delivery(delivery.status, delivery.error, (time.monotonic() - started) * 1000)
        worker.records.add_invocation(event_id or request_id, delivery.status,
                                      delivery.duration_ms, delivery.error)
        return delivery

    async def _deliver(self, worker: WorkerProcess, body: bytes, request_id: str,
                       timeout_ms: int) -> Delivery:
        name = worker.function.name
        if not await worker.wait_up(RESTART_WAIT_SECONDS):
            return Delivery(None, f"function {name} is not running ({worker.state})")
        assert self.client is not None
        headers = {**self.runtime.credentials.function_headers(request_id),
                   "content-type": "application/json"}
        try:
            response = await asyncio.wait_for(
                self.client.post(f"{worker.url}/", content=body, headers=headers),
                timeout_ms / 1000)
        except TimeoutError:
            logger.warning("Function %s timed out after %d ms; restarting it", name, timeout_ms)
            worker.restart(kill=True)
            return Delivery(None, f"timed out after {timeout_ms} ms")
        except httpx.TransportError as exc:
            return Delivery(None, f"the worker ended without answering ({type(exc).__name__})")
        return Delivery(response.status_code)

    async def _watch_folders(self) -> None:
        folders = {worker.function.directory.resolve(): worker
                   for worker in self._workers.values()}
        async for changes in watchfiles.awatch(*folders, stop_event=self._stop_watching,
                                               debounce=RELOAD_DEBOUNCE_MS, step=50):
            changed = {_owner(Path(path), folders) for _, path in changes}
            for worker in filter(None, changed):
                logger.info("Reloading function %s", worker.function.name)
                worker.restart()


def _owner(path: Path, folders: dict[Path, WorkerProcess]) -> WorkerProcess | None:
    for folder, worker in folders.items():
        if path.is_relative_to(folder):
            return worker
    return None
