"""The `crm_bulk_job_initiator` Event function: one import per Put into segment `CrmFiles`.

Steps: read the key's value, download the File Store file into a temp dir of this run, split it
into batches (all checks on the file happen here, before any Zoho call), match the header row to
the module's fields when the upload named no mapping, then for each batch without a job:
upload its ZIP, create its bulk write job, and record both ids in the import record. On full
success the key and the File Store file are deleted; on failure both stay, so a redelivery of the
same event resumes where this run stopped and never creates a second job for a batch.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from crm_import.catalyst_store import CatalystStore
from crm_import.config import Config
from crm_import.errors import ImportFailure, OutcomeUnknown, ZohoError
from crm_import.field_match import fields_from_metadata, match_headers
from crm_import.job_spec import JobSpec, SpecError
from crm_import.names import (
    JOB_KEY_PREFIX,
    UNSUPPORTED_MODULES,
    base_name,
    progress_key,
    safe_file_name,
)
from crm_import.record import (
    AUTO_MAPPED,
    FAILED,
    JOB_CREATED,
    MATCHED,
    SPLITTING,
    SUBMITTED,
    UNCERTAIN,
    UPLOADED,
    UPLOADING,
    BatchProgress,
    ImportRecord,
)
from crm_import.split import Batch, CsvSplitter, validate_header
from crm_import.zipping import Zipper
from crm_import.zoho_bulk import ZohoCrm

log = logging.getLogger("crm_import.initiator")


def handle(
    event,
    context,
    *,
    env: Mapping[str, str] | None = None,
    store_factory: Callable[[], object] = CatalystStore,
    crm_factory: Callable[..., ZohoCrm] = ZohoCrm,
) -> None:
    """Runs one import and closes the event with success or failure."""
    data = _event_data(event)
    key = data.get("cache_name")
    if not isinstance(key, str) or not key.startswith(JOB_KEY_PREFIX):
        log.info("Ignoring cache key %r: it does not start with %s", key, JOB_KEY_PREFIX)
        context.close_with_success()
        return
    try:
        spec = JobSpec.from_value(data.get("cache_value"))
    except SpecError as exc:
        log.error("Error ::: cache key %s does not describe an import: %s", key, exc)
        context.close_with_failure()
        return

    try:
        config = Config.from_env(os.environ if env is None else env)
        store = store_factory()
    except Exception as exc:
        log.error("Error ::: import %s cannot start: %s", spec.file_id, exc)
        context.close_with_failure()
        return

    run = ImportRun(spec, key, config, store, crm_factory)
    if run.execute():
        context.close_with_success()
    else:
        context.close_with_failure()


class ImportRun:
    def __init__(self, spec: JobSpec, key: str, config: Config, store, crm_factory) -> None:
        self.spec = spec
        self.key = key
        self.config = config
        self.store = store
        self.crm_factory = crm_factory
        self.record: ImportRecord | None = None

    def execute(self) -> bool:
        """Returns True once every batch has a job and the import's key and file are gone."""
        work = Path(tempfile.mkdtemp(prefix="crm_import_run_"))
        try:
            self.record = self._load_record()
            if not (self.record.all_submitted and self.record.state == SUBMITTED):
                self._import(work)
            self._clean_up()
            return True
        except Exception as exc:
            self._fail(exc)
            return False
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _import(self, work: Path) -> None:
        spec, record = self.spec, self.record
        if spec.module in UNSUPPORTED_MODULES:
            raise ImportFailure(f"module {spec.module} is not supported by bulk write")

        name = safe_file_name(self.store.file_name(spec.file_id))
        source = work / "source.csv"
        size = self.store.download(spec.file_id, source)
        log.info("Import %s: downloaded %d bytes", spec.file_id, size)

        record.state = SPLITTING
        record.reason = None
        self._save()
        batches_dir = work / "batches"
        batches_dir.mkdir()

        crm = self.crm_factory(self.config, self.store.token_share())
        try:
            with open(source, "rb") as stream, Zipper(stream, batches_dir) as zipper:
                splitter = CsvSplitter(
                    stream, base_name(name),
                    max_bytes=self.config.batch_max_bytes,
                    max_batches=self.config.max_batches,
                    encoding=spec.encoding or "utf-8",
                )
                batches = []
                for batch in splitter.batches():
                    known = (record.batches[batch.index - 1]
                             if batch.index <= len(record.batches) else None)
                    # Batches with a job, or that may have one, are not sent again.
                    done = known is not None and (known.job_id or known.state == UNCERTAIN)
                    batches.append((batch, None if done else zipper.submit(batch)))
                validate_header(splitter.header_names)
                self._match_record(splitter.total_rows, [b for b, _ in batches])
                if any(zipped is not None for _, zipped in batches):
                    spec = self._job_spec(crm, splitter.header_names)

                record.state = UPLOADING
                self._save()
                for batch, zipped in batches:
                    if zipped is not None:
                        self._submit(crm, spec, record.batches[batch.index - 1], zipped.result())
        finally:
            crm.close()
        # A batch left uncertain by an earlier run is never sent again, but does not hold back
        # the others: they are submitted first, then the import stops, naming it.
        uncertain = [b for b in record.batches if b.state == UNCERTAIN]
        if uncertain:
            raise ImportFailure("; ".join(self._uncertain_reason(b) for b in uncertain)
                                + ". Check the jobs in Zoho CRM before importing those rows "
                                  "again; every other batch has its job")
        record.state = SUBMITTED
        self._save()

    def _match_record(self, total_rows: int, batches: list[Batch]) -> None:
        record = self.record
        if not record.batches:
            record.total_rows = total_rows
            record.batches = [BatchProgress(b.index, b.rows, b.size) for b in batches]
            return
        recorded = [(b.rows, b.size) for b in record.batches]
        if recorded != [(b.rows, b.size) for b in batches]:
            raise ImportFailure(
                "the file no longer splits into the recorded batches; was BATCH_MAX_BYTES changed?"
            )

    def _job_spec(self, crm: ZohoCrm, headers: list[str]) -> JobSpec:
        """The spec every job of this import is created with, field mappings settled.

        A mapping from the upload is sent as it is. Otherwise the choice made by an earlier run
        of this import holds; only when none was recorded (or its list did not fit the record)
        are the module's fields read and the header row matched to them.
        """
        spec, record = self.spec, self.record
        if spec.field_mappings is not None or record.mapping == AUTO_MAPPED:
            return spec
        if record.mapping == MATCHED and record.field_mappings:
            return replace(spec, field_mappings=record.field_mappings)

        fields = fields_from_metadata(crm.module_fields(spec.org_id, spec.module))
        mappings = match_headers(headers, fields, spec.module, spec.operation)
        record.mapping = AUTO_MAPPED if mappings is None else MATCHED
        record.field_mappings = mappings
        self._save()
        if mappings is None:
            log.info("Import %s: every header is a field API name of %s", spec.file_id,
                     spec.module)
            return spec
        log.info("Import %s: matched %d columns to fields of %s", spec.file_id, len(mappings),
                 spec.module)
        return replace(spec, field_mappings=mappings)

    def _submit(
        self, crm: ZohoCrm, spec: JobSpec, progress: BatchProgress, zip_path: Path
    ) -> None:
        progress.zoho_file_id = crm.upload_zip(spec.org_id, zip_path)
        progress.state = UPLOADED
        self._save()
        zip_path.unlink(missing_ok=True)

        # Recorded before the request leaves: if this process dies before the answer is saved,
        # the next run must not assume there is no job and create a second one.
        progress.state = UNCERTAIN
        self._save()
        try:
            progress.job_id = crm.create_job(spec.org_id, spec, progress.zoho_file_id)
        except OutcomeUnknown as exc:
            # Sending it again could create a second job for the same rows: stop instead.
            raise ImportFailure(
                f"batch {progress.index}: the bulk write job request got no answer, so the job"
                " may exist. Check the jobs in Zoho CRM before importing this file again"
            ) from exc
        except BaseException:
            # Zoho answered with an error (or the request never left): no job was created.
            progress.state = UPLOADED
            self._save()
            raise
        progress.state = JOB_CREATED
        self._save()
        log.info(
            "Zoho CRM bulk write job has been scheduled with ::: %d records and job id for the"
            " same is ::: %s", progress.rows, progress.job_id,
        )

    def _uncertain_reason(self, progress: BatchProgress) -> str:
        first = sum(b.rows for b in self.record.batches[:progress.index - 1]) + 1
        return (f"batch {progress.index} (data rows {first:,} to {first + progress.rows - 1:,}) "
                f"may already have a bulk write job (Zoho file id {progress.zoho_file_id}): an "
                "earlier job request got no answer")

    def _clean_up(self) -> None:
        self.store.delete_job(self.key)
        self.store.delete_file(self.spec.file_id)
        log.info("Total Records Scheduled For Processing ::: %d", self.record.total_rows)

    def _fail(self, exc: Exception) -> None:
        if isinstance(exc, (ImportFailure, ZohoError)):
            reason = str(exc)
        else:
            reason = f"{type(exc).__name__}: {exc}"
        if self.record is not None and self.record.state != SUBMITTED:
            self.record.fail(reason)
            try:
                self._save()
            except Exception as save_error:
                log.error("Could not save import record %s: %s", self.spec.file_id,
                          type(save_error).__name__)
        log.error(
            "Error ::: import %s failed: %s. Kept cache key %s and File Store file %s for a retry",
            self.spec.file_id, reason, self.key, self.spec.file_id,
        )

    def _load_record(self) -> ImportRecord:
        raw = self.store.get_default(progress_key(self.spec.file_id))
        if raw:
            try:
                record = ImportRecord.from_value(self.spec.file_id, raw)
            except (ValueError, KeyError, TypeError, IndexError):
                log.warning("Import record %s is unreadable; starting it afresh",
                            self.spec.file_id)
            else:
                if record.state == FAILED:
                    record.reason = None
                return record
        return ImportRecord(self.spec.file_id, self.spec.module, self.spec.operation,
                            self.spec.org_id)

    def _save(self) -> None:
        self.store.put_default(progress_key(self.spec.file_id), self.record.to_value())


def _event_data(event) -> dict:
    if isinstance(event, dict):
        data = event.get("data")
    else:
        getter = getattr(event, "get_data", None)
        data = getter() if callable(getter) else getattr(event, "data", None)
    return data if isinstance(data, dict) else {}
