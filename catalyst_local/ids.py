"""Ids shaped like the cloud's: long numeric strings, never reused."""

import secrets
import time


def new_id(digits: int = 17) -> str:
    """A numeric string of `digits` digits: a millisecond clock followed by random digits.

    Catalyst and Zoho CRM ids are 13 to 19 digit numbers sent as strings; callers must treat
    them as opaque, and so do we.
    """
    clock = str(time.time_ns() // 1_000_000)
    tail = digits - 1 - len(clock)
    if tail < 2:
        raise ValueError(f"an id needs more than {digits} digits")
    return "4" + clock + "".join(str(secrets.randbelow(10)) for _ in range(tail))
