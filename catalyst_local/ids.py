"""Ids shaped like the cloud's: long numeric strings."""

import secrets


def new_id(digits: int = 17) -> str:
    """A random numeric string of `digits` digits that starts with 4, as Catalyst's ids do.

    Catalyst and Zoho CRM ids are 13 to 19 digit numbers sent as strings, and callers must treat
    them as opaque. Random digits keep them unguessable; stores that need uniqueness still check.
    """
    if digits < 8:
        raise ValueError(f"an id needs at least 8 digits, not {digits}")
    return "4" + str(secrets.randbelow(10 ** (digits - 1))).zfill(digits - 1)
