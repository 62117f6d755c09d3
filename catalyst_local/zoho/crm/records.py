"""CRM records as the sandbox stores them, and as the records API shows them."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from catalyst_local.zoho.orgs import Org
from catalyst_local.zoho.store import Store
from catalyst_local.zoho.timefmt import iso


def to_api(row: sqlite3.Row, org: Org) -> dict[str, Any]:
    """A stored record in the records API's shape, system fields filled in by the sandbox."""
    data = json.loads(row["data"])
    record: dict[str, Any] = {"id": row["id"], "Owner": data.pop("Owner", None) or org.user}
    record.update(data)
    record.update(Created_By=org.user, Modified_By=org.user,
                  Created_Time=iso(row["created"], org.utc_offset_minutes),
                  Modified_Time=iso(row["modified"], org.utc_offset_minutes))
    return record


def page(store: Store, org: Org, module: str, number: int, per_page: int
         ) -> tuple[list[dict[str, Any]], bool]:
    """One page of a module's records, oldest first, and whether more follow."""
    rows = store.all("SELECT * FROM records WHERE zgid = ? AND module = ? ORDER BY seq "
                     "LIMIT ? OFFSET ?", org.zgid, module, per_page + 1,
                     (number - 1) * per_page)
    return [to_api(row, org) for row in rows[:per_page]], len(rows) > per_page


def count(store: Store, zgid: str, module: str) -> int:
    return store.one("SELECT COUNT(*) AS n FROM records WHERE zgid = ? AND module = ?",
                     zgid, module)["n"]
