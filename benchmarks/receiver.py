"""The loopback upload floors' receiver: an ASGI app that reads a request body and either drops
it (`POST /`) or stores it durably (`POST /store`): written to a temp file as it arrives,
fsynced, then deleted, which is the least any store must do with an upload.

`python -m benchmarks.receiver` listens on 127.0.0.1 with a free port, prints
`receiver-port=<port>` and serves with uvicorn on httptools, the same stack as
`catalyst-local serve`. It exits when its stdin closes (its parent went away) or after
`--lifetime` seconds, whichever comes first.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import concurrent.futures
import json
import os
import socket
import sys
import tempfile
import threading

import uvicorn

PORT_PREFIX = "receiver-port="


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    received = 0
    more = True
    sink = _Sink() if scope["path"] == "/store" else None
    try:
        while more:
            message = await receive()
            chunk = message.get("body", b"")
            received += len(chunk)
            if sink is not None:
                await sink.write(chunk)
            more = message.get("more_body", False)
        if sink is not None:
            await sink.finish()
    finally:
        if sink is not None:
            sink.close()
    body = json.dumps({"received": received}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class _Sink:
    """A temp file written by one thread while the event loop goes on receiving; at most
    IN_FLIGHT chunks wait for the disk. In the temp folder, where the benchmark server's data
    directory is too."""

    IN_FLIGHT = 16

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._writer = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self._pending: collections.deque[asyncio.Future[int]] = collections.deque()

    async def write(self, chunk: bytes) -> None:
        loop = asyncio.get_running_loop()
        self._pending.append(loop.run_in_executor(self._writer, self._file.write, chunk))
        if len(self._pending) > self.IN_FLIGHT:
            await self._pending.popleft()

    async def finish(self) -> None:
        while self._pending:
            await self._pending.popleft()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._writer, self._flush_and_sync)

    def _flush_and_sync(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._writer.shutdown(wait=True)
        self._file.close()


def _exit_when_orphaned(lifetime: float) -> None:
    def watch_stdin() -> None:
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    timer = threading.Timer(lifetime, os._exit, args=(0,))
    timer.daemon = True
    timer.start()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lifetime", type=float, default=900.0)
    options = parser.parse_args()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    print(f"{PORT_PREFIX}{sock.getsockname()[1]}", flush=True)
    _exit_when_orphaned(options.lifetime)
    config = uvicorn.Config(app, loop="uvloop", http="httptools", lifespan="off",
                            log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
