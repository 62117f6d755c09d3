"""Headless Chromium for the console tests: page dumps, and clicks over the DevTools protocol.

Chromium is only ever pointed at the test's own server on 127.0.0.1.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT = 60


def chromium_path() -> str:
    """The Chromium binary; skips the test without one, except in CI where it must be there."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("Chromium is required in CI: install it (apt-get install -y chromium)")
    pytest.skip("Chromium is not installed (apt-get install -y chromium); CI runs these tests")


def dump_dom(url: str) -> str:
    """The page's DOM after load, as Chromium serialises it."""
    with tempfile.TemporaryDirectory(prefix="console-chromium-") as profile:
        result = subprocess.run([chromium_path(), *FLAGS, f"--user-data-dir={profile}",
                                 "--dump-dom", url],
                                capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


class DevToolsPage:
    """One Chromium page driven over the DevTools protocol."""

    def __init__(self) -> None:
        self._profile = tempfile.mkdtemp(prefix="console-chromium-")
        self._process = subprocess.Popen(
            [chromium_path(), *FLAGS, f"--user-data-dir={self._profile}",
             "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = self._wait_port()
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10,
                            trust_env=False).json()
        page = next(target for target in targets if target["type"] == "page")
        self._socket = connect(page["webSocketDebuggerUrl"], open_timeout=10, max_size=None)
        self._ids = itertools.count(1)

    def _wait_port(self) -> int:
        active = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if active.exists() and active.read_text().strip():
                return int(active.read_text().splitlines()[0])
            if self._process.poll() is not None:
                raise RuntimeError(f"Chromium exited with {self._process.returncode}")
            time.sleep(0.05)
        raise RuntimeError("Chromium did not open its DevTools port")

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        self._socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self._socket.recv(timeout=TIMEOUT))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method} failed: {reply['error']}")
                return reply["result"]

    def evaluate(self, expression: str) -> Any:
        return self.send("Runtime.evaluate", expression=expression,
                         returnByValue=True)["result"].get("value")

    def wait_for(self, expression: str, what: str) -> Any:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    def close(self) -> None:
        try:
            self._socket.close()
        finally:
            self._process.kill()
            self._process.wait(timeout=10)
            shutil.rmtree(self._profile, ignore_errors=True)
