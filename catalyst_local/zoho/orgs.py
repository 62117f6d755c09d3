"""The Zoho CRM orgs the sandbox hosts, one data center each."""

from __future__ import annotations

from dataclasses import dataclass

from catalyst_local.zoho.store import Store

# Data centers by the path segment that selects them, e.g. /zoho/eu/accounts/...
DATA_CENTERS = ("com", "eu", "in", "com.au", "jp", "com.cn", "ca", "sa")


@dataclass(frozen=True)
class Org:
    zgid: str
    org_id: str
    dc: str
    company_name: str
    utc_offset_minutes: int
    user_id: str
    user_name: str
    user_email: str

    @property
    def user(self) -> dict[str, str]:
        """The importing user, as CRM writes it into Owner, Created_By and Modified_By."""
        return {"name": self.user_name, "id": self.user_id, "email": self.user_email}

    def describe(self) -> dict[str, object]:
        """The `GET /crm/v{n}/org` shape."""
        hours, minutes = divmod(abs(self.utc_offset_minutes), 60)
        sign = "+" if self.utc_offset_minutes >= 0 else "-"
        return {
            "id": self.org_id,
            "zgid": self.zgid,
            "company_name": self.company_name,
            "primary_email": self.user_email,
            "country_code": "US" if self.dc == "com" else self.dc.split(".")[-1].upper(),
            "time_zone": f"GMT{sign}{hours:02d}:{minutes:02d}",
            "currency": "USD" if self.dc == "com" else "EUR",
            "type": "production",
            "license_details": {"paid": True, "paid_type": "enterprise"},
        }


def load_orgs(store: Store) -> list[Org]:
    rows = store.all("SELECT * FROM orgs ORDER BY rowid")
    return [Org(**dict(row)) for row in rows]
