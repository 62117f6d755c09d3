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
    store = scope["path"] == "/store"
    # In the temp folder, where the benchmark server's data directory is too. Written from the
    # event loop itself: the cheapest way, since nothing else runs here.
    sink = tempfile.TemporaryFile() if store else None  # noqa: SIM115
    received = 0
    more = True
    try:
        while more:
            message = await receive()
            chunk = message.get("body", b"")
            received += len(chunk)
            if sink is not None:
                sink.write(chunk)
            more = message.get("more_body", False)
        if sink is not None:
            sink.flush()
            os.fsync(sink.fileno())
    finally:
        if sink is not None:
            sink.close()
    body = json.dumps({"received": received}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


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
