"""Gateway overhead and SDK throughput on a throwaway project with one echo function.

Latency is measured with one keep-alive connection and one request at a time, so p50 through
`/server/echo/` minus p50 straight to the echo function's worker is what the gateway adds.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.server import REPO, Server, without_proxies
from benchmarks.stats import percentile

ECHO = "echo"
ECHO_CODE = '''def handler(request):
    return "ok"
'''


def write_echo_project(root: Path) -> Path:
    """A project with one Advanced I/O function that answers every request with `ok`."""
    folder = root / "functions" / ECHO
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "main.py").write_text(ECHO_CODE)
    (folder / "catalyst-config.json").write_text(json.dumps({
        "deployment": {"name": ECHO, "stack": "python_3_11", "type": "advancedio",
                       "env_variables": {}},
        "execution": {"main": "main.py"}}))
    (root / "catalyst.json").write_text(json.dumps({
        "functions": {"targets": [ECHO], "source": "functions", "ignore": []},
        "catalyst_local": {"project": {"name": "bench_echo"}, "components": {}}}))
    return root


def _latencies(url: str, path: str, count: int) -> tuple[list[float], float]:
    """Seconds per GET for `count` sequential requests on one connection, and the wall time."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    times = []
    try:
        started = time.perf_counter()
        for _ in range(count):
            sent = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            times.append(time.perf_counter() - sent)
            if response.status != 200 or body != b"ok":
                raise RuntimeError(f"GET {path} answered {response.status}")
        wall = time.perf_counter() - started
    finally:
        connection.close()
    return times, wall


def _figures(times: list[float], wall: float) -> dict[str, float]:
    return {"p50_ms": percentile(times, 0.5) * 1000, "p99_ms": percentile(times, 0.99) * 1000,
            "rps": len(times) / wall}


def measure_gateway(server: Server, runs: int, count: int) -> dict[str, list[dict[str, float]]]:
    """Alternating runs through the gateway and straight to the worker, after a warm-up."""
    port = server.health()["functions"][ECHO]["port"]
    if not port:
        raise RuntimeError("the health answer gives no port for the echo function's worker")
    direct_url = f"http://127.0.0.1:{port}"
    _latencies(server.url, f"/server/{ECHO}/", count // 4 + 1)
    _latencies(direct_url, "/", count // 4 + 1)
    through, direct = [], []
    for _ in range(runs):
        through.append(_figures(*_latencies(server.url, f"/server/{ECHO}/", count)))
        direct.append(_figures(*_latencies(direct_url, "/", count)))
    return {"gateway": through, "direct": direct}


SDK_SCRIPT = '''
import json, sys, time
import zcatalyst_sdk
count = int(sys.argv[1])
segment = zcatalyst_sdk.initialize_app().cache().segment()
segment.put("bench_warm", "x")
segment.get("bench_warm")
value = "v" * 100
started = time.perf_counter()
for n in range(count):
    segment.put(f"bench_{n}", value)
put_seconds = time.perf_counter() - started
started = time.perf_counter()
for n in range(count):
    if segment.get(f"bench_{n}")["cache_value"] != value:
        raise SystemExit("a cache get returned another value")
get_seconds = time.perf_counter() - started
print(json.dumps({"put_ops": count / put_seconds, "get_ops": count / get_seconds}))
'''


def measure_sdk_cache(server: Server, count: int) -> dict[str, Any]:
    """Cache put then get ops/s through the official SDK, in a child whose environment comes
    from `catalyst-local env`, so it is set before the SDK is imported."""
    env = {**without_proxies(), **server.sdk_environment()}
    done = subprocess.run([sys.executable, "-c", SDK_SCRIPT, str(count)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"the SDK run exited with {done.returncode}: {detail[0]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
