"""The embedded Zoho sandbox: Zoho Accounts OAuth and the CRM Bulk Write API, offline.

State lives in SQLite under `<data dir>/zoho` and survives restarts: orgs, clients and refresh
tokens are created once, so the values handed to functions stay valid.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import shutil
import string
import time
from collections.abc import Callable
from typing import Any

from starlette.routing import BaseRoute

from catalyst_local.ids import new_id
from catalyst_local.zoho import admin
from catalyst_local.zoho.accounts import routes as accounts_routes
from catalyst_local.zoho.accounts.tokens import Accounts
from catalyst_local.zoho.bulk import routes as bulk_routes
from catalyst_local.zoho.bulk.jobs import Jobs
from catalyst_local.zoho.crm import records as crm_records
from catalyst_local.zoho.crm import routes as crm_routes
from catalyst_local.zoho.faults import Faults
from catalyst_local.zoho.metadata import MODULES
from catalyst_local.zoho.orgs import Org, load_orgs
from catalyst_local.zoho.settings import SandboxSettings
from catalyst_local.zoho.store import Store
from catalyst_local.zoho.upload import routes as upload_routes

logger = logging.getLogger("catalyst_local.zoho")

# One org per entry; the first is the one functions are wired to.
ORGS = (("com", "Local Sandbox Inc.", -300), ("eu", "Local Sandbox GmbH", 60))


def _client_id() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "1000." + "".join(secrets.choice(alphabet) for _ in range(30))


class ZohoSandbox:
    """Zoho's side of a CSV import, served under `/zoho` by the emulator's own server.

    `clock` (seconds since the epoch) is read for every expiry, window and job step, so tests
    can move time.
    """

    def __init__(self, runtime: Any, clock: Callable[[], float] = time.time):
        self.runtime = runtime
        self.clock = clock
        self.directory = runtime.data_dir / "zoho"
        self.store = Store(self.directory)
        self.files_dir = self.directory / "files"
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self.settings = SandboxSettings.from_json(self.store.get("settings"))
        self.faults = Faults(lambda: self.settings.fault_hang_seconds)
        self.accounts = Accounts(self.store, lambda: self.clock())
        self.queue = Jobs(self)
        self._task: asyncio.Task | None = None

    # Setup and lifecycle.

    def provision(self) -> None:
        """Creates the orgs, their OAuth clients and the importer's refresh token, once."""
        if load_orgs(self.store):
            return
        for dc, company, offset in ORGS:
            zgid = str(7_000_000_000 + secrets.randbelow(1_000_000_000))
            user = "Sandbox Admin"
            email = f"admin@{company.split()[-1].lower().strip('.')}.sandbox.local"
            self.store.run("INSERT INTO orgs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", zgid,
                           new_id(19), dc, company, offset, new_id(19), user, email)
            client_id = _client_id()
            self.store.run("INSERT INTO clients VALUES (?, ?, ?, ?)", client_id,
                           secrets.token_hex(21), dc, zgid)
            self.accounts.issue_refresh_token(client_id, provisioned=True)
        logger.info("Zoho sandbox provisioned: org %s in com", self.org_id)

    def routes(self) -> list[BaseRoute]:
        """Every sandbox route, for mounting at `/zoho`."""
        return [*admin.routes(self), *accounts_routes.routes(self), *upload_routes.routes(self),
                *bulk_routes.routes(self), *crm_routes.routes(self)]

    async def start(self) -> None:
        """Starts the background job processor."""
        self.provision()
        if self._task is None:
            self._task = asyncio.create_task(self.queue.run_forever(), name="zoho-bulk-jobs")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def close(self) -> None:
        self.store.close()

    # Addresses.

    def base_url(self) -> str:
        return self.runtime.base_url.rstrip("/")

    def api_domain(self, dc: str) -> str:
        return f"{self.base_url()}/zoho/{dc}/api"

    # State.

    def orgs(self) -> list[Org]:
        return load_orgs(self.store)

    def org(self, zgid: str) -> Org | None:
        return next((org for org in self.orgs() if org.zgid == zgid), None)

    def _primary(self, dc: str = "com") -> Org:
        org = next((org for org in self.orgs() if org.dc == dc), None)
        if org is None:
            raise RuntimeError("the Zoho sandbox is not provisioned; call provision() first")
        return org

    @property
    def org_id(self) -> str:
        """The zgid of the com org, the value for `X-CRM-ORG`."""
        return self._primary().zgid

    def clients(self) -> list[dict[str, str]]:
        rows = self.store.all("SELECT client_id, dc, zgid FROM clients ORDER BY rowid")
        return [dict(row) for row in rows]

    def client(self, dc: str = "com") -> dict[str, str]:
        """The OAuth client (id and secret) of the org in `dc`, e.g. for tests."""
        row = self.store.one("SELECT * FROM clients WHERE dc = ?", dc)
        return {"client_id": row["client_id"], "client_secret": row["client_secret"]}

    def refresh_token(self, dc: str = "com") -> str:
        """The importer's refresh token for the org in `dc`, issued again if it was revoked."""
        client = self.client(dc)
        row = self.store.one("SELECT token FROM refresh_tokens WHERE client_id = ? AND "
                             "provisioned = 1 AND revoked = 0 ORDER BY created DESC, rowid DESC",
                             client["client_id"])
        if row is not None:
            return row["token"]
        return self.accounts.issue_refresh_token(client["client_id"], provisioned=True)

    def function_env(self, function_name: str) -> dict[str, str]:
        """The env values that point a function's Zoho calls at the sandbox's com org."""
        client = self.client("com")
        base = self.base_url()
        return {
            "CLIENT_ID": client["client_id"],
            "CLIENT_SECRET": client["client_secret"],
            "REFRESH_TOKEN": self.refresh_token("com"),
            "REFRESH_TOKEN_URL": f"{base}/zoho/com/accounts/oauth/v2/token",
            "ZOHO_API_DOMAIN": self.api_domain("com"),
            "ZOHO_UPLOAD_URL": f"{base}/zoho/com/upload/crm/v8/upload",
        }

    def mint_grant_code(self, dc: str = "com", access_type: str = "offline",
                        redirect_uri: str | None = None, lifetime_seconds: float = 180) -> str:
        """A grant code for the `dc` org's client, as a consent screen would give."""
        return self.accounts.mint_grant_code(self.client(dc)["client_id"], access_type,
                                             redirect_uri, lifetime_seconds)

    def records(self, module: str, zgid: str | None = None) -> list[dict[str, Any]]:
        """Every record of a module in an org (the com org by default), as the records API
        shows them."""
        if module not in MODULES:
            raise KeyError(f"'{module}' is not a module of the sandbox")
        org = self.org(zgid) if zgid else self._primary()
        rows = self.store.all("SELECT * FROM records WHERE zgid = ? AND module = ? ORDER BY seq",
                              org.zgid, module)
        return [crm_records.to_api(row, org) for row in rows]

    def jobs(self) -> list[dict[str, Any]]:
        """A summary of every bulk write job, oldest first."""
        return [admin.job_summary(self, job) for job in self.queue.all()]

    def picklist_additions(self, zgid: str, module: str) -> dict[str, list[str]]:
        added: dict[str, list[str]] = {}
        for row in self.store.all("SELECT field, value FROM picklist_values WHERE zgid = ? AND "
                                  "module = ? ORDER BY rowid", zgid, module):
            added.setdefault(row["field"], []).append(row["value"])
        return added

    def update_settings(self, values: dict[str, Any]) -> None:
        self.settings.update(values)
        self.store.put("settings", self.settings.to_json())
        logger.info("Zoho sandbox settings changed: %s", ", ".join(sorted(values)))

    def reset(self) -> None:
        """Forgets records, files, jobs, access tokens, faults and settings; orgs, clients and
        refresh tokens stay, so wired functions keep working."""
        self.store.clear_data()
        self.faults.clear()
        self.settings = SandboxSettings()
        for folder in (self.files_dir, self.queue.results_dir):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
        logger.info("Zoho sandbox reset")
