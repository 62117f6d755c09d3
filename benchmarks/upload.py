"""Uploads: the loopback floors, `POST /job` into the File Store, and the import end to end.

The same httpx client code sends every upload, streaming the file from disk, so the floors and
the service differ only in what receives the bytes. There are two floors: the bytes dropped
on arrival, and the bytes stored durably (written and fsynced), which is the least a store of
uploads can do and so the floor `POST /job` is judged against.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.receiver import PORT_PREFIX
from benchmarks.server import REPO, RssSampler, Server
from catalyst_local.sample_data import HEADER

SERVICE = "crm_bulk_job_service"
FOLDER = "CrmFiles"
SECRET_HEADER = "catalyst-codelib-secret-key"
UPLOAD_TIMEOUT = 300.0
POLL_SECONDS = 0.25
# The generated CSVs carry Zoho display names ("First Name"); the CRM wants API names.
LEADS_MAPPING = json.dumps({name: name.replace(" ", "_") for name in HEADER})


class Receiver:
    """The loopback floors' receiver in its own process (see `benchmarks.receiver`)."""

    def __enter__(self) -> Receiver:
        self.process = subprocess.Popen([sys.executable, "-m", "benchmarks.receiver"],
                                        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode().strip()
        if not line.startswith(PORT_PREFIX):
            self.__exit__()
            raise RuntimeError(f"the receiver did not start: {line!r}")
        base = f"http://127.0.0.1:{int(line.removeprefix(PORT_PREFIX))}"
        self.url, self.store_url = f"{base}/", f"{base}/store"
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _client() -> httpx.Client:
    # trust_env off: a proxy from the environment must never see calls to 127.0.0.1.
    return httpx.Client(timeout=UPLOAD_TIMEOUT, trust_env=False)


def post_raw(url: str, path: Path) -> float:
    """Seconds to POST the file's bytes to the receiver, which must count them all."""
    with _client() as client, open(path, "rb") as source:
        started = time.perf_counter()
        response = client.post(url, content=source,
                               headers={"content-type": "application/octet-stream"})
        seconds = time.perf_counter() - started
    response.raise_for_status()
    if response.json()["received"] != path.stat().st_size:
        raise RuntimeError("the receiver got fewer bytes than were sent")
    return seconds


def post_job(server: Server, path: Path, secret: str, org_id: str) -> tuple[float, str]:
    """Seconds for `POST /job` of the file as multipart, and the import id it answered."""
    with _client() as client, open(path, "rb") as source:
        started = time.perf_counter()
        response = client.post(
            f"{server.url}/server/{SERVICE}/job", headers={SECRET_HEADER: secret},
            data={"module_name": "Leads", "org_id": org_id, "mapping": LEADS_MAPPING},
            files={"file": (path.name, source, "text/csv")})
        seconds = time.perf_counter() - started
    body = response.json()
    if response.status_code != 200 or body.get("status") != "success":
        raise RuntimeError(f"POST /job answered {response.status_code}: {body.get('message')}")
    return seconds, body["import_id"]


def measure_uploads(project: Path, path: Path, runs: int) -> dict[str, Any]:
    """Alternates the two floors and `POST /job` on one server whose Event Listener rule is
    off, sampling the memory of the server and its workers during each upload."""
    floor: list[float] = []
    stored_floor: list[float] = []
    upload: list[float] = []
    growth: dict[str, list[int]] = {}
    with Receiver() as receiver, Server(project) as server:
        secret = server.local_value(f"{SERVICE}.CODELIB_SECRET_KEY")
        org_id = server.sandbox_org_id()
        post_raw(receiver.url, path)  # warm every path once, untimed
        post_raw(receiver.store_url, path)
        post_job(server, path, secret, org_id)
        pids = {"server": server.pid, **server.worker_pids()}
        for _ in range(runs):
            floor.append(post_raw(receiver.url, path))
            stored_floor.append(post_raw(receiver.store_url, path))
            with RssSampler(pids) as sampler:
                seconds, file_id = post_job(server, path, secret, org_id)
            upload.append(seconds)
            # Every run starts from an empty folder, as after an import (which deletes its
            # file): on this kind of VM, each 80 MiB kept on disk slowed the next uploads.
            server.delete_file(FOLDER, file_id)
            for name, kib in sampler.growth_kib().items():
                growth.setdefault(name, []).append(kib)
    return {"floor_seconds": floor, "stored_floor_seconds": stored_floor,
            "upload_seconds": upload, "rss_growth_kib": growth, "pids": sorted(pids)}


def wait_for_import(server: Server, import_id: str, secret: str, started: float,
                    timeout: float) -> dict[str, Any]:
    """Polls `/status/<import_id>` until every batch's bulk write job is COMPLETED."""
    submitted_at = None
    with _client() as client:
        while True:
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"import {import_id} was not done after {timeout:.0f} s")
            response = client.get(f"{server.url}/server/{SERVICE}/status/{import_id}",
                                  headers={SECRET_HEADER: secret})
            view = response.json().get("data") or {}
            if view.get("state") == "failed":
                raise RuntimeError(f"import {import_id} failed: {view.get('reason')}")
            batches = view.get("batches") or []
            if view.get("state") == "submitted" and submitted_at is None:
                submitted_at = time.perf_counter()
            statuses = [b.get("job_status") for b in batches]
            if "FAILED" in statuses:
                raise RuntimeError(f"a bulk write job of import {import_id} FAILED")
            if submitted_at is not None and statuses and all(s == "COMPLETED" for s in statuses):
                return {"seconds": time.perf_counter() - started,
                        "submitted_seconds": submitted_at - started, "batches": len(batches),
                        "rows": view.get("total_rows"),
                        "added": sum(b.get("added") or 0 for b in batches)}
            time.sleep(POLL_SECONDS)


def measure_end_to_end(project: Path, path: Path, timeout: float) -> dict[str, Any]:
    """One import on a fresh server: upload, split, Zoho uploads, every job COMPLETED."""
    with Server(project) as server:
        secret = server.local_value(f"{SERVICE}.CODELIB_SECRET_KEY")
        org_id = server.sandbox_org_id()
        started = time.perf_counter()
        upload_seconds, import_id = post_job(server, path, secret, org_id)
        result = wait_for_import(server, import_id, secret, started, timeout)
    return {**result, "upload_seconds": upload_seconds}
