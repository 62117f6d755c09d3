"""One function's worker process: `python -m catalyst_local.functions.worker NAME TYPE MAIN`.

It runs with the function folder as its working directory. Flask is imported before that folder
goes on `sys.path`, as in the Catalyst runtime, so a vendored Flask never takes effect. The worker
binds 127.0.0.1 on a free port, reports the port on its first stdout line, then loads the code
and serves. Code that fails to load leaves the worker up, answering every call with the error.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from pathlib import Path

import flask  # noqa: F401  (imported before the function folder is on sys.path)
from werkzeug.serving import make_server

from catalyst_local.functions import advancedio, event
from catalyst_local.functions.internal import PORT_LINE_PREFIX
from catalyst_local.functions.loader import LoadError, load_handler

logger = logging.getLogger("catalyst_local.worker")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="catalyst_local.functions.worker")
    parser.add_argument("name")
    parser.add_argument("type", choices=("advancedio", "event"))
    parser.add_argument("main")
    args = parser.parse_args(argv)

    # The host reads each line's level from this prefix.
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(levelname)s\t%(message)s", force=True)
    # The gateway writes the access log; the dev server's own lines would repeat it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    _exit_with_parent()

    # Bound before the code loads, so the host knows where to probe while a slow import runs.
    server = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]
    print(f"{PORT_LINE_PREFIX}{server.server_port}", flush=True)

    handler, load_error = None, None
    try:
        handler = load_handler(Path.cwd(), args.main)
    except LoadError as error:
        load_error = error
        logger.error("Function %s failed to load: %s", args.name, error.message)
        if error.details:
            logger.error("%s", error.details.rstrip())

    flavour = advancedio if args.type == "advancedio" else event
    server.app = flavour.create_app(args.name, handler, load_error)
    server.serve_forever()


def _exit_with_parent() -> None:
    """Ends the worker when the host dies without stopping it, so no worker is left behind."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


if __name__ == "__main__":
    main()
