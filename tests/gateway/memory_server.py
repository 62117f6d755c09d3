"""Serves the project named on the command line, prints its URL, and stops when stdin closes.

Run as its own process so a test can read this server's memory from /proc.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functions"))

from function_harness import make_runtime, served  # noqa: E402

if __name__ == "__main__":
    with served(make_runtime(Path(sys.argv[1]))) as server:
        print(server.url, flush=True)
        sys.stdin.read()
