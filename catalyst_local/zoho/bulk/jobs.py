"""Bulk write jobs: the FIFO queue, the row run, the result file and the callback.

A job moves ADDED -> IN PROGRESS -> COMPLETED (or FAILED when its file cannot be read), one
`job_step_seconds` per step, oldest job first and one at a time. The whole file is applied in
one transaction, so a job is never seen half done.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import zipfile
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from catalyst_local.ids import new_id
from catalyst_local.zoho.bulk.csvfile import read_csv
from catalyst_local.zoho.bulk.rows import Existing, RowEngine
from catalyst_local.zoho.metadata import MODULES
from catalyst_local.zoho.orgs import Org
from catalyst_local.zoho.timefmt import iso

if TYPE_CHECKING:
    from catalyst_local.zoho.sandbox import ZohoSandbox

logger = logging.getLogger("catalyst_local.zoho")

FINAL = ("COMPLETED", "FAILED")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
RESULT_COLUMNS = ("STATUS", "RECORD_ID", "ERRORS")


class Jobs:
    def __init__(self, sandbox: ZohoSandbox):
        self._sandbox = sandbox
        self._store = sandbox.store
        self._lock = asyncio.Lock()
        self.results_dir = sandbox.directory / "results"
        self.results_dir.mkdir(parents=True, exist_ok=True)

    def create(self, plan: dict[str, Any], org: Org) -> str:
        job_id = new_id(19)
        now = self._sandbox.clock()
        with self._store.transaction() as store:
            store.run("INSERT INTO jobs (id, zgid, dc, status, changed, created, plan) VALUES "
                      "(?, ?, ?, 'ADDED', ?, ?, ?)", job_id, org.zgid, org.dc, now, now,
                      json.dumps(plan))
            store.run("UPDATE files SET used_by = ? WHERE file_id = ?", job_id, plan["file_id"])
        logger.info("Bulk write job %s added: %s of %d %s rows", job_id, plan["operation"],
                    plan["total_count"], plan["module"])
        return job_id

    def row(self, job_id: str):
        return self._store.one("SELECT * FROM jobs WHERE id = ?", job_id)

    def all(self) -> list[Any]:
        return self._store.all("SELECT * FROM jobs ORDER BY seq")

    def _status(self, status: str) -> str:
        if status == "IN PROGRESS" and self._sandbox.settings.inprogress_spelling:
            return "INPROGRESS"
        return status

    def download_url(self, job) -> str:
        job_id, zgid = job["id"], job["zgid"]
        if self._sandbox.settings.relative_download_url:
            return f"/v8/crm/org{zgid}/bulk-write/{job_id}/{job_id}.zip"
        return (f"{self._sandbox.base_url()}/zoho/{job['dc']}/download/v2/crm/{zgid}"
                f"/bulk-write/{job_id}/{job_id}.zip")

    def details(self, job) -> dict[str, Any]:
        """The `GET /crm/bulk/v{n}/write/{id}` body: a top-level object, no `data` wrapper."""
        org = self._sandbox.org(job["zgid"])
        plan = json.loads(job["plan"])
        outcome = json.loads(job["outcome"]) if job["outcome"] else None
        status = self._status(job["status"])
        module = MODULES[plan["module"]]
        file: dict[str, Any] = {"status": status}
        if job["status"] != "ADDED":
            counts = outcome or {"added_count": 0, "skipped_count": 0, "updated_count": 0}
            file.update(name=plan["file_name"], **counts, total_count=plan["total_count"])
        resource = {
            "status": status,
            "type": "data",
            "module": (module.api_name if plan.get("version") == "2"
                       else {"api_name": module.api_name, "id": module.id}),
            "code": status.replace(" ", ""),
            "file_id": plan["file_id"],
            "find_by": plan["find_by"],
            "ignore_empty": plan["ignore_empty"],
            "field_mappings": [_echo(m) for m in plan["mappings"]],
            "file": file,
        }
        body: dict[str, Any] = {
            "id": job["id"],
            "status": status,
            "operation": plan["operation"],
            "character_encoding": plan["character_encoding"],
            "ignore_empty": plan["ignore_empty"],
            "callback": plan["callback"],
            "created_by": {"id": org.user_id, "name": org.user_name},
            "created_time": iso(job["created"], org.utc_offset_minutes),
            "resource": [resource],
        }
        if job["status"] == "COMPLETED":
            body["result"] = {"download_url": self.download_url(job)}
        return body

    # The processor.

    async def run_forever(self) -> None:
        while True:
            step = self._sandbox.settings.job_step_seconds
            await asyncio.sleep(min(0.05, max(step / 2, 0.01)))
            try:
                await self.tick()
            except Exception:
                logger.exception("Bulk write processor failed; it keeps running")

    async def tick(self) -> None:
        """Moves the oldest unfinished job one step when its time in the current step is up."""
        async with self._lock:
            job = self._store.one("SELECT * FROM jobs WHERE status NOT IN ('COMPLETED', "
                                  "'FAILED') ORDER BY seq LIMIT 1")
            if job is None:
                return
            if self._sandbox.clock() - job["changed"] < self._sandbox.settings.job_step_seconds:
                return
            if job["status"] == "ADDED":
                self._set_status(job["id"], "IN PROGRESS")
                return
            await asyncio.to_thread(self._run, job["id"])
        await self._callback(job["id"])

    async def advance_all(self) -> list[str]:
        """Finishes every queued job now, in order; answers their ids."""
        finished = []
        async with self._lock:
            for job in self._store.all("SELECT * FROM jobs WHERE status NOT IN ('COMPLETED', "
                                       "'FAILED') ORDER BY seq"):
                await asyncio.to_thread(self._run, job["id"])
                finished.append(job["id"])
        for job_id in finished:
            await self._callback(job_id)
        return finished

    def _set_status(self, job_id: str, status: str) -> None:
        self._store.run("UPDATE jobs SET status = ?, changed = ? WHERE id = ?", status,
                        self._sandbox.clock(), job_id)
        logger.info("Bulk write job %s is %s", job_id, status)

    def _run(self, job_id: str) -> None:
        job = self.row(job_id)
        plan = json.loads(job["plan"])
        org = self._sandbox.org(job["zgid"])
        try:
            csv_file = read_csv(self._sandbox.files_dir / f"{plan['file_id']}.zip",
                                plan["character_encoding"], keep_bom=plan.get("keep_bom", False))
            engine = self._engine(plan, org)
            result = io.StringIO()
            writer = csv.writer(result)
            columns = sorted({m["index"] for m in plan["mappings"]
                              if m["index"] is not None})[:3]
            writer.writerow([*(csv_file.header[i] for i in columns), *RESULT_COLUMNS])
            counts = {"added": 0, "updated": 0, "skipped": 0}
            for row in csv_file.rows():
                outcome = engine.process(row)
                counts[outcome.status] += 1
                writer.writerow([*(row[i] if i < len(row) else "" for i in columns),
                                 outcome.status, outcome.record_id, outcome.errors])
            self._write_result(job_id, f"{plan['module']}-{csv_file.name}", result.getvalue())
            self._commit(job_id, plan, org, engine, counts)
        except Exception:
            logger.exception("Bulk write job %s failed", job_id)
            self._set_status(job_id, "FAILED")

    def _engine(self, plan: dict[str, Any], org: Org) -> RowEngine:
        module = MODULES[plan["module"]]
        targets = {}
        for mapping in plan["mappings"]:
            target = mapping.get("module")
            if target in MODULES and mapping["find_by"] and target not in targets:
                targets[target] = self._existing(org.zgid, target)
        added = self._sandbox.picklist_additions(org.zgid, module.api_name)
        known = {f.api_name: {*f.picklist, *added.get(f.api_name, [])} for f in module.fields
                 if f.picklist or f.data_type in ("picklist", "multiselectpicklist")}
        return RowEngine(plan, org, self._existing(org.zgid, module.api_name), targets, known)

    def _existing(self, zgid: str, module: str) -> Existing:
        rows = self._store.all("SELECT id, data FROM records WHERE zgid = ? AND module = ?",
                               zgid, module)
        return Existing({row["id"]: json.loads(row["data"]) for row in rows})

    def _write_result(self, job_id: str, csv_name: str, text: str) -> None:
        temp = self.results_dir / f".{job_id}.zip"
        with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(csv_name, text)
        temp.replace(self.results_dir / f"{job_id}.zip")

    def _commit(self, job_id: str, plan: dict[str, Any], org: Org, engine: RowEngine,
                counts: dict[str, int]) -> None:
        now = self._sandbox.clock()
        module = plan["module"]
        outcome = {"added_count": counts["added"], "skipped_count": counts["skipped"],
                   "updated_count": counts["updated"]}
        with self._store.transaction() as store:
            store.many("INSERT INTO records (id, zgid, module, data, created, modified) VALUES "
                       "(?, ?, ?, ?, ?, ?)",
                       ((record_id, org.zgid, module, json.dumps(data), now, now)
                        for record_id, data in engine.inserts.items()))
            store.many("UPDATE records SET data = ?, modified = ? WHERE id = ?",
                       ((json.dumps(data), now, record_id)
                        for record_id, data in engine.updates.items()))
            store.many("INSERT OR IGNORE INTO picklist_values (zgid, module, field, value) "
                       "VALUES (?, ?, ?, ?)",
                       ((org.zgid, module, name, value)
                        for name, value in engine.picklist_additions))
            store.run("UPDATE jobs SET status = 'COMPLETED', changed = ?, finished = ?, "
                      "outcome = ? WHERE id = ?", now, now, json.dumps(outcome), job_id)
        logger.info("Bulk write job %s is COMPLETED: %d added, %d updated, %d skipped", job_id,
                    counts["added"], counts["updated"], counts["skipped"])

    async def _callback(self, job_id: str) -> None:
        """POSTs the job details to `callback.url` once the job is final.

        The payload schema, signing and retries are undocumented; the sandbox sends the details
        JSON once, and only to this machine: any other host is refused with a warning, so the
        sandbox never calls out.
        """
        job = self.row(job_id)
        plan = json.loads(job["plan"])
        if not plan["callback"] or job["status"] not in FINAL:
            return
        url = plan["callback"]["url"]
        if urlsplit(url).hostname not in LOCAL_HOSTS:
            logger.warning("Callback of job %s not sent: only 127.0.0.1 and localhost callback "
                           "URLs are called", job_id)
            return
        try:
            async with httpx.AsyncClient(timeout=5.0, trust_env=False) as client:
                answer = await client.post(url, json=self.details(job))
            logger.info("Callback of job %s answered %d", job_id, answer.status_code)
        except httpx.HTTPError as error:
            logger.warning("Callback of job %s failed: %s", job_id, type(error).__name__)


def _echo(mapping: dict[str, Any]) -> dict[str, Any]:
    """A field mapping as job details echo it: every key present, null where unused."""
    default = mapping["default_value"]
    return {"api_name": mapping["api_name"], "index": mapping["index"],
            "format": mapping["format"], "find_by": mapping["find_by"],
            "module": {"api_name": mapping["module"]} if mapping["module"] else None,
            "parent_column_index": None,
            "default_value": None if default is None else {"value": default}}
