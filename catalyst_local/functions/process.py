"""One function's worker process, kept running: started, probed, restarted on a crash."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import sys
import time
from pathlib import Path

import httpx

from catalyst_local.functions.internal import INTERNAL_HEADER, PORT_LINE_PREFIX, PROBE_PATH
from catalyst_local.functions.records import FunctionRecords
from catalyst_local.project import Function

logger = logging.getLogger("catalyst_local.functions")

STARTING, READY, BROKEN, CRASHED, STOPPED = "starting", "ready", "broken", "crashed", "stopped"
STOP_GRACE_SECONDS = 3.0
FIRST_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS = 0.5, 10.0
# A worker that stayed up this long before crashing restarts after the shortest backoff again.
STABLE_SECONDS = 10.0
# Generous: the probe is answered only once the function's module has imported.
PROBE_TIMEOUT_SECONDS = 120.0
LINE_LIMIT = 1024 * 1024
# The worker's server listens with a backlog of 128 connections, past which the kernel resets
# new ones; calls beyond this many at once wait for a free connection instead.
# TODO: the cloud starts more instances of a busy function rather than queueing its calls.
CONCURRENT_CALLS = 64


def worker_command(function: Function) -> list[str]:
    # The function folder is the working directory; keep it off sys.path until the worker has
    # imported Flask (-P), as the Catalyst runtime does.
    if sys.version_info >= (3, 11):
        return [sys.executable, "-P", "-m", "catalyst_local.functions.worker",
                function.name, function.type, function.main]
    bootstrap = ("import sys; del sys.path[0]; "
                 "from catalyst_local.functions.worker import main; main()")
    return [sys.executable, "-c", bootstrap, function.name, function.type, function.main]


class WorkerProcess:
    """Supervises the worker of one function.

    States: `starting` (spawned, not yet answering), `ready`, `broken` (up, but its code failed
    to load: it answers every call with the load error), `crashed` (exited; restarting after a
    backoff) and `stopped`.
    """

    def __init__(self, function: Function, env: dict[str, str], client: httpx.AsyncClient,
                 temp_dir: Path | None = None):
        self.function = function
        self.records = FunctionRecords(function.name)
        self.state = STOPPED
        self.pid: int | None = None
        self.port: int | None = None
        self.last_error: str | None = None
        self.restarts = 0
        self.call_slots = asyncio.Semaphore(CONCURRENT_CALLS)
        # Like an instance's /tmp in the cloud, the worker's temp folder lives as long as the
        # worker: it is emptied before each start and removed at stop, so files a killed run
        # left behind (an upload being read, batches being zipped) do not pile up.
        self._temp_dir = temp_dir
        self._env = env if temp_dir is None else {**env, "TMPDIR": str(temp_dir)}
        self._client = client
        self._process: asyncio.subprocess.Process | None = None
        self._restart = asyncio.Event()
        self._kill_on_restart = False
        self._stopping = False
        self._up = asyncio.Event()  # ready or broken
        self._settled = asyncio.Event()  # ready, broken or crashed: not starting
        self._settled_once = asyncio.Event()  # first ready, broken or crashed
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def is_up(self) -> bool:
        return self.state in (READY, BROKEN)

    def start(self) -> None:
        self._task = asyncio.create_task(self._supervise(), name=f"worker {self.function.name}")

    async def settled_once(self) -> None:
        await self._settled_once.wait()

    async def wait_up(self, timeout: float) -> bool:
        """Waits until the worker answers calls; False if it does not within `timeout`."""
        try:
            await asyncio.wait_for(self._up.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def wait_settled(self, timeout: float) -> bool:
        """Waits while the worker is starting; True if it then answers calls."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._settled.wait(), timeout)
        return self.is_up

    def restart(self, *, kill: bool = False) -> None:
        """Replaces the worker with a fresh one; `kill` skips the graceful stop."""
        self._kill_on_restart = self._kill_on_restart or kill
        self._restart.set()

    async def stop(self) -> None:
        self._stopping = True
        self._restart.set()
        if self._task is not None:
            await self._task

    def status(self) -> dict[str, object]:
        return {"type": self.function.type, "state": self.state, "pid": self.pid,
                "port": self.port, "last_error": self.last_error, "restarts": self.restarts}

    async def _supervise(self) -> None:
        backoff = FIRST_BACKOFF_SECONDS
        while not self._stopping:
            self._restart.clear()
            started = time.monotonic()
            try:
                process, port_found, pumps = await self._spawn()
            except OSError as exc:
                self.state, self.last_error = CRASHED, f"the worker could not start: {exc}"
                self._settled.set()
                self._settled_once.set()
                logger.error("Function %s could not start: %s", self.function.name, exc)
                await self._pause(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            probe = asyncio.create_task(self._probe(process, port_found))
            exited = asyncio.create_task(process.wait())
            restart = asyncio.create_task(self._restart.wait())
            await asyncio.wait({exited, restart}, return_when=asyncio.FIRST_COMPLETED)
            probe.cancel()
            restart.cancel()
            self._up.clear()

            if not exited.done():
                self.state = STARTING
                self._settled.clear()
                await self._end(process, kill=self._kill_on_restart)
                self._kill_on_restart = False
                await self._drain(pumps)
                backoff = FIRST_BACKOFF_SECONDS
                if not self._stopping:
                    self.restarts += 1
                continue

            await self._drain(pumps)
            self.state = CRASHED
            self.last_error = f"the worker exited with code {process.returncode}"
            self._settled.set()
            self._settled_once.set()
            if time.monotonic() - started > STABLE_SECONDS:
                backoff = FIRST_BACKOFF_SECONDS
            logger.error("Function %s exited with code %s; restarting in %.1f s",
                         self.function.name, process.returncode, backoff)
            await self._pause(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            self.restarts += 1

        self.state, self.pid, self.port = STOPPED, None, None
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
        self._settled.set()

    async def _pause(self, seconds: float) -> None:
        # Cut short by a restart or a stop.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._restart.wait(), seconds)

    async def _spawn(self) -> tuple[asyncio.subprocess.Process, asyncio.Future[int],
                                    list[asyncio.Task[None]]]:
        self.state, self.port = STARTING, None
        self._settled.clear()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir.mkdir(parents=True)
        process = await asyncio.create_subprocess_exec(
            *worker_command(self.function), cwd=self.function.directory, env=self._env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, limit=LINE_LIMIT,
            # Its own session: a Ctrl-C at the terminal reaches the host, which stops workers.
            start_new_session=True)
        self._process, self.pid = process, process.pid
        port_found: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        pumps = [asyncio.create_task(self._pump(process.stdout, "stdout", port_found)),
                 asyncio.create_task(self._pump(process.stderr, "stderr", None))]
        return process, port_found, pumps

    async def _pump(self, stream: asyncio.StreamReader | None, name: str,
                    port_found: asyncio.Future[int] | None) -> None:
        assert stream is not None
        while True:
            try:
                raw = await stream.readline()
            except ValueError:
                self.records.add_output(name, "(a line longer than 1 MB was dropped)")
                continue
            if not raw:
                break
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if port_found is not None and not port_found.done():
                if line.startswith(PORT_LINE_PREFIX):
                    port_found.set_result(int(line.removeprefix(PORT_LINE_PREFIX)))
                    continue
            self.records.add_output(name, line)

    async def _probe(self, process: asyncio.subprocess.Process,
                     port_found: asyncio.Future[int]) -> None:
        name = self.function.name
        self.port = await port_found
        try:
            response = await self._client.get(f"{self.url}{PROBE_PATH}",
                                              headers={INTERNAL_HEADER: "true"},
                                              timeout=PROBE_TIMEOUT_SECONDS)
            load_error = json.loads(response.content)["load_error"]
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            self.last_error = f"no answer to the readiness probe ({type(exc).__name__})"
            logger.error("Function %s did not answer its readiness probe: %r", name, exc)
            return

        if load_error:
            self.state, self.last_error = BROKEN, load_error["message"]
            logger.error("Function %s failed to load (%s): %s", name, load_error["error"],
                         load_error["message"])
        else:
            self.state, self.last_error = READY, None
            logger.info("Function %s is ready on port %d (pid %d)", name, self.port, process.pid)
        self._up.set()
        self._settled.set()
        self._settled_once.set()

    async def _end(self, process: asyncio.subprocess.Process, *, kill: bool) -> None:
        if process.returncode is None:
            if kill:
                process.kill()
            else:
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), STOP_GRACE_SECONDS)
            except TimeoutError:
                logger.warning("Function %s did not stop in %.0f s; killing it",
                               self.function.name, STOP_GRACE_SECONDS)
                process.kill()
                await process.wait()

    async def _drain(self, pumps: list[asyncio.Task[None]]) -> None:
        # A process the function started may still hold the pipes open; do not wait on it.
        _, pending = await asyncio.wait(pumps, timeout=1.0)
        for pump in pending:
            pump.cancel()
