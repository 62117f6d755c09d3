"""The client side of the main job: post a CSV to `crm_bulk_job_service`, follow it to the end.

It speaks only the service's public contract (`POST /job`, `GET /status/<import id>`), exactly as
curl would, so it works the same against catalyst-local and against a deployed function.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

SERVICE_PATH = "/server/crm_bulk_job_service"
SECRET_HEADER = "catalyst-codelib-secret-key"
CHUNK = 1024 * 1024
FINAL_JOB_STATES = {"COMPLETED", "FAILED"}


class ImportFailed(Exception):
    """The service refused the request, or the import failed."""


@dataclass
class Summary:
    state: str
    total_rows: int
    added: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    jobs: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None

    @property
    def refused_rows(self) -> int:
        return self.skipped + self.failed


def job_state(batch: dict[str, Any]) -> str:
    """Zoho spells a running job "IN PROGRESS" or "INPROGRESS"; compare without spaces."""
    return str(batch.get("job_status") or "").replace(" ", "").replace("_", "").upper()


def is_finished(view: dict[str, Any]) -> bool:
    if view.get("state") == "failed":
        return True
    batches = view.get("batches") or []
    return (view.get("state") == "submitted" and bool(batches)
            and all(job_state(batch) in FINAL_JOB_STATES for batch in batches))


def summarize(view: dict[str, Any]) -> Summary:
    summary = Summary(state=str(view.get("state")), total_rows=int(view.get("total_rows") or 0),
                      reason=view.get("reason"))
    for batch in view.get("batches") or []:
        for count in ("added", "updated", "skipped", "failed"):
            setattr(summary, count, getattr(summary, count) + int(batch.get(count) or 0))
        summary.jobs.append(batch)
        summary.errors.extend(batch.get("errors") or [])
    return summary


class _CountingFile:
    """A file whose reads report progress; httpx streams it in chunks, never whole."""

    def __init__(self, path: Path, on_bytes: Callable[[int], None] | None):
        self._handle = path.open("rb")
        self._on_bytes = on_bytes

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(CHUNK if size is None or size < 0 else size)
        if data and self._on_bytes:
            self._on_bytes(len(data))
        return data

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(CHUNK):
            yield chunk

    def close(self) -> None:
        self._handle.close()


class ImportClient:
    def __init__(self, base_url: str, secret_key: str, timeout: float = 120.0):
        self._http = httpx.Client(base_url=base_url.rstrip("/") + SERVICE_PATH,
                                  headers={SECRET_HEADER: secret_key}, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ImportClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, csv_path: Path, module: str, org_id: str, *, operation: str | None = None,
               find_by: str | None = None, mapping: dict[str, str] | None = None,
               on_bytes: Callable[[int], None] | None = None) -> dict[str, Any]:
        """POST /job as `curl -F file=@x.csv -F module_name=... -F org_id=...` does."""
        fields = {"module_name": module, "org_id": org_id}
        if operation:
            fields["operation"] = operation
        if find_by:
            fields["find_by"] = find_by
        if mapping:
            fields["mapping"] = json.dumps(mapping)
        upload = _CountingFile(csv_path, on_bytes)
        try:
            # curl declares application/octet-stream for a .csv; the service must accept it.
            files = {"file": (csv_path.name, upload, "application/octet-stream")}
            response = self._http.post("/job", data=fields, files=files)
        finally:
            upload.close()
        return self._answer(response)

    def status(self, import_id: str) -> dict[str, Any]:
        return self._answer(self._http.get(f"/status/{import_id}"))["data"]

    def follow(self, import_id: str, on_update: Callable[[dict[str, Any]], None] | None = None,
               poll_seconds: float = 0.5, timeout_seconds: float = 1800) -> dict[str, Any]:
        """Polls /status until every batch's job is COMPLETED or FAILED, or the import failed."""
        deadline = time.monotonic() + timeout_seconds
        while True:
            view = self.status(import_id)
            if on_update:
                on_update(view)
            if is_finished(view):
                return view
            if time.monotonic() > deadline:
                raise ImportFailed(f"import {import_id} did not finish in {timeout_seconds:.0f} s "
                                   f"(state {view.get('state')})")
            time.sleep(poll_seconds)

    @staticmethod
    def _answer(response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or body.get("status") != "success":
            message = body.get("message") if isinstance(body, dict) else None
            raise ImportFailed(f"the service answered {response.status_code}: "
                               f"{message or response.text[:200]}")
        return body
