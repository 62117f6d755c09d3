"""The Zoho CRM calls of an import: read a module's fields, upload a ZIP, create a bulk write
job, read a job and stream its result."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from crm_import.config import Config
from crm_import.errors import ZohoError
from crm_import.job_spec import JobSpec
from crm_import.zoho_auth import TokenManager, TokenShare, api_base, upload_url
from crm_import.zoho_http import ONCE, ZohoHttp, error_code, json_body

log = logging.getLogger("crm_import.zoho_bulk")


class ZohoCrm:
    def __init__(
        self,
        config: Config,
        share: TokenShare | None = None,
        http: ZohoHttp | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._config = config
        self.http = http or ZohoHttp()
        extra = {"clock": clock} if clock else {}
        self.http.tokens = TokenManager(config, self.http, share, **extra)

    def close(self) -> None:
        self.http.close()

    def api(self) -> str:
        tokens = self.http.tokens
        if tokens.api_domain is None and not self._config.api_domain:
            tokens.token()  # learn the api_domain Zoho names for this token
        return api_base(self._config, tokens.api_domain)

    def module_fields(self, org_id: str, module: str) -> list:
        """The module's field metadata (`GET /crm/v8/settings/fields`): Zoho's `fields` list."""
        what = f"Reading fields of module {module} in zoho crm request"
        response = self.http.send(
            "GET", f"{self.api()}/crm/v8/settings/fields", what=what,
            headers={"X-CRM-ORG": org_id}, params={"module": module},
        )
        data = json_body(response)
        fields = data.get("fields") if isinstance(data, dict) else None
        if response.status_code == 200 and isinstance(fields, list):
            return fields
        raise _error(response, what)

    def upload_zip(self, org_id: str, path: Path) -> str:
        """Uploads one ZIP (step 1 of bulk write) and returns Zoho's file id."""
        what = "Uploading file in zoho crm request"

        opened = []

        def body() -> dict:
            # Reopened per attempt; httpx streams the file and writes the boundary itself.
            opened.append(open(path, "rb"))  # noqa: SIM115 (closed below)
            return {"files": {"file": (path.name, opened[-1], "application/zip")}}

        try:
            response = self.http.send(
                "POST", upload_url(self._config), what=what,
                headers={"X-CRM-ORG": org_id, "feature": "bulk-write"}, body=body,
            )
        finally:
            for handle in opened:
                handle.close()
        data = json_body(response)
        details = data.get("details") if isinstance(data, dict) else None
        file_id = details.get("file_id") if isinstance(details, dict) else None
        if response.status_code == 200 and _success(data) and file_id:
            return str(file_id)
        raise _error(response, what)

    def create_job(self, org_id: str, spec: JobSpec, zoho_file_id: str) -> str:
        """Creates one bulk write job (step 2) and returns its id; accepts 200 and 201."""
        what = "Creating job in zoho crm request"
        response = self.http.send(
            "POST", f"{self.api()}/crm/bulk/v8/write", what=what, policy=ONCE,
            headers={"X-CRM-ORG": org_id}, json=spec.job_body(zoho_file_id),
        )
        data = json_body(response)
        details = data.get("details") if isinstance(data, dict) else None
        job_id = details.get("id") if isinstance(details, dict) else None
        if response.status_code in (200, 201) and _success(data) and job_id:
            return str(job_id)
        raise _error(response, what)

    def job_details(self, job_id: str, org_id: str | None = None) -> httpx.Response:
        """Reads one bulk write job (step 3); the response is returned whatever its status."""
        headers = {"X-CRM-ORG": org_id} if org_id else {}
        return self.http.send(
            "GET", f"{self.api()}/crm/bulk/v8/write/{job_id}",
            what="Reading job in zoho crm request", headers=headers,
        )

    @contextmanager
    def result_stream(self, url: str) -> Iterator[httpx.Response]:
        """Opens a job's result ZIP with the token; the body is left for the caller to read.

        Redirects are followed (httpx drops the Authorization header when one leaves the host).
        """
        response = self.http.send(
            "GET", url, what="Downloading job result in zoho crm request",
            stream=True, follow_redirects=True,
        )
        try:
            yield response
        finally:
            response.close()


def _success(data: object) -> bool:
    return isinstance(data, dict) and str(data.get("status", "")).lower() == "success"


def _error(response: httpx.Response, what: str) -> ZohoError:
    data = json_body(response)
    message = data.get("message") if isinstance(data, dict) else None
    # A missing or wrong `feature` or `X-CRM-ORG` on the upload is reported in headers instead.
    message = message or response.headers.get("x-error")
    error = ZohoError(response.status_code, error_code(response), message, what)
    log.error("%s", error)
    return error
