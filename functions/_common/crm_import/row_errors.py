"""The first rows a finished bulk write job did not import, read from its result ZIP.

Zoho's result ZIP holds one CSV: up to three input columns, then `STATUS`, `RECORD_ID` and
`ERRORS`. Only `STATUS` and `ERRORS` are read. The input columns are row data: they are never
parsed into the answer, logged or kept. The ZIP is downloaded to an anonymous temp file, at most
`RESULT_MAX_BYTES`, and the Authorization header goes only to Zoho's own hosts.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from typing import BinaryIO
from urllib.parse import urlsplit

import httpx

from crm_import.errors import ZohoError
from crm_import.zoho_auth import DATA_CENTERS

RESULT_MAX_BYTES = 30 * 1024 * 1024
# The CSV of a 25,000-row batch stays far below this; a larger one is not a result file.
_CSV_MAX_BYTES = 256 * 1024 * 1024
_IMPORTED = frozenset({"added", "updated"})
_ERRORS_MAX = 500
_COPY_CHUNK = 1024 * 1024
# Zoho's own domains, from every data center's accounts and API hosts.
_ZOHO_DOMAINS = frozenset(
    host.split(".", 1)[1]
    for dc in DATA_CENTERS.values()
    for host in (dc.accounts, urlsplit(dc.api_domain).hostname or "")
)


class ResultUnavailable(Exception):
    """The result ZIP could not be fetched or read; the message holds no row data or token."""


def result_url(download_url: object, api: str) -> str:
    """Resolves `result.download_url`: absolute, or a path under the API domain."""
    if not isinstance(download_url, str) or not download_url.strip():
        raise ResultUnavailable("the job has no result download_url")
    url = download_url.strip()
    if urlsplit(url).scheme:
        return url
    return f"{api.rstrip('/')}/{url.lstrip('/')}"


def trusted_host(url: str, api: str) -> bool:
    """True for the API domain's host, or an https host under one of Zoho's domains."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host and host == (urlsplit(api).hostname or "").lower():
        return True
    return parts.scheme == "https" and any(
        host == domain or host.endswith("." + domain) for domain in _ZOHO_DOMAINS
    )


def job_failures(crm, job: dict, first_row: int, limit: int) -> list[dict]:
    """Downloads a COMPLETED job's result and returns its first `limit` rows not imported.

    `first_row` is the number, in the original file, of the batch's first data row.
    """
    result = job.get("result") if isinstance(job.get("result"), dict) else {}
    api = crm.api()
    url = result_url(result.get("download_url"), api)
    if not trusted_host(url, api):
        raise ResultUnavailable("the result download_url is not on a Zoho host")
    with tempfile.TemporaryFile() as archive:
        _download(crm, url, archive)
        archive.seek(0)
        return failed_rows(archive, first_row, limit)


def _download(crm, url: str, out: BinaryIO) -> None:
    try:
        with crm.result_stream(url) as response:
            if response.status_code != 200:
                raise ResultUnavailable(f"the result download answered {response.status_code}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > RESULT_MAX_BYTES:
                raise ResultUnavailable("the result ZIP is larger than the download limit")
            size = 0
            for chunk in response.iter_bytes(_COPY_CHUNK):
                size += len(chunk)
                if size > RESULT_MAX_BYTES:
                    raise ResultUnavailable("the result ZIP is larger than the download limit")
                out.write(chunk)
    except ZohoError as exc:
        raise ResultUnavailable(str(exc)) from None
    except httpx.HTTPError as exc:
        raise ResultUnavailable(f"the result download broke off ({type(exc).__name__})") from None


def failed_rows(archive: BinaryIO, first_row: int, limit: int) -> list[dict]:
    """The first `limit` rows of a result ZIP whose STATUS is neither added nor updated."""
    try:
        with zipfile.ZipFile(archive) as opened:
            member = _result_member(opened)
            with opened.open(member) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
                return _scan(csv.reader(text), first_row, limit)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, csv.Error, EOFError, OSError) as exc:
        raise ResultUnavailable(f"the result ZIP is unreadable ({type(exc).__name__})") from None


def _result_member(opened: zipfile.ZipFile) -> zipfile.ZipInfo:
    members = [info for info in opened.infolist() if not info.is_dir()]
    csvs = [info for info in members if info.filename.lower().endswith(".csv")]
    chosen = (csvs or members or [None])[0]
    if chosen is None:
        raise ResultUnavailable("the result ZIP is empty")
    if chosen.file_size > _CSV_MAX_BYTES:
        raise ResultUnavailable("the result CSV is too large")
    return chosen


def _scan(rows, first_row: int, limit: int) -> list[dict]:
    header = next(rows, None)
    if header is None:
        raise ResultUnavailable("the result CSV is empty")
    names = [name.strip().upper() for name in header]
    # The result columns come last: an input column may be called Status too.
    status_at = _last(names, "STATUS")
    errors_at = _last(names, "ERRORS")
    if status_at is None:
        raise ResultUnavailable("the result CSV has no STATUS column")

    found: list[dict] = []
    position = 0
    for row in rows:
        if len(found) >= limit:
            break
        if not any(row):
            continue  # batches hold no blank rows, so neither does their result
        position += 1
        status = row[status_at].strip().lower() if status_at < len(row) else ""
        if status in _IMPORTED:
            continue
        errors = row[errors_at].strip() if errors_at is not None and errors_at < len(row) else ""
        found.append({
            "row": first_row + position - 1,
            "status": status,
            "errors": errors[:_ERRORS_MAX],
        })
    return found


def _last(names: list[str], wanted: str) -> int | None:
    for index in range(len(names) - 1, -1, -1):
        if names[index] == wanted:
            return index
    return None
