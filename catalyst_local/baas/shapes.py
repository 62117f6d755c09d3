"""Object fields the cloud puts in several components' answers."""

from __future__ import annotations

import time

# The one user every emulated call acts as: the project's admin.
SYSTEM_USER = {
    "zuid": "4000000000001",
    "is_confirmed": True,
    "email_id": "developer@catalyst.local",
    "first_name": "Local",
    "last_name": "Developer",
    "user_type": "Admin",
    "user_id": "4000000000002",
}


def catalyst_time(epoch_seconds: float | None = None) -> str:
    """The console's date format, e.g. "Jan 07, 2025 04:10 PM" (local time, like the cloud's)."""
    return time.strftime("%b %d, %Y %I:%M %p",
                         time.localtime(time.time() if epoch_seconds is None else epoch_seconds))
