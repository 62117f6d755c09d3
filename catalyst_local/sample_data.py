"""Deterministic leads CSVs for the demo, the tests and the benchmarks.

The headers are Zoho CRM display names ("First Name", not "First_Name"), the way a spreadsheet
export has them. A share of the descriptions hold quoted commas, doubled quotes and line breaks, so
any split on physical lines cuts records in half. With `with_errors`, some rows break the Leads
rules on purpose (no Last Name, no Company, a malformed e-mail, a duplicate e-mail), each for a
reason the CRM reports.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from typing import IO

HEADER = ["First Name", "Last Name", "Company", "Email", "Phone", "Lead Source", "Industry",
          "Annual Revenue", "City", "Description"]
FIRST = ["Asha", "Bruno", "Chen", "Dana", "Emeka", "Fatima", "Goran", "Hana", "Ivan", "Jaya",
         "Kofi", "Lena", "Mateo", "Noor", "Olga", "Priya", "Quinn", "Rosa", "Sven", "Tariq"]
LAST = ["Iyer", "Silva", "Wei", "Levi", "Okafor", "Haddad", "Novak", "Sato", "Petrov", "Rao",
        "Mensah", "Vogel", "Garcia", "Aziz", "Smirnova", "Nair", "Byrne", "Costa", "Berg", "Khan"]
COMPANY = ["Zylker Foods", "Acme Tools", "Northwind Traders", "Globex", "Initech", "Umbrella Labs",
           "Stark Freight", "Wayne Textiles", "Hooli", "Vandelay Imports"]
SOURCE = ["Web Download", "Cold Call", "Trade Show", "Partner", "Advertisement", "Chat"]
INDUSTRY = ["Manufacturing", "Retail", "Healthcare", "Education", "Government", "Technology"]
CITY = ["Chennai", "Austin", "Berlin", "Osaka", "Lagos", "Lyon", "Toronto", "Perth"]
NOTES = [
    "Asked for a demo next week",
    "Met at the expo, interested in the \"Enterprise\" plan",
    "Needs pricing for 200 seats, billed yearly, in EUR",
    "Call back after the holidays.\nPrefers e-mail.",
    "Referred by an existing customer, \"very warm\"\r\nFollow up with case studies, pricing",
]


def lead_rows(count: int, seed: int = 7, with_errors: bool = False) -> Iterator[list[str]]:
    """`count` data rows; with `with_errors`, every 10th row breaks one rule, in turn."""
    rng = random.Random(seed)
    first_email = ""
    for n in range(1, count + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        row = [first, last, rng.choice(COMPANY), f"{first}.{last}.{n}@example.com".lower(),
               f"+1 555 {rng.randrange(1000, 9999)} {n % 10000:04d}", rng.choice(SOURCE),
               rng.choice(INDUSTRY), str(rng.randrange(1, 500) * 10_000), rng.choice(CITY),
               rng.choice(NOTES) if n % 3 == 0 else rng.choice(NOTES[:3])]
        first_email = first_email or row[3]
        if with_errors and n % 10 == 0:
            flaw = (n // 10) % 4
            if flaw == 0:
                row[1] = ""  # Last Name is mandatory
            elif flaw == 1:
                row[2] = ""  # so is Company
            elif flaw == 2:
                row[3] = f"{first}.{last}.at.example.com"  # not an e-mail address
            else:
                row[3] = first_email  # a duplicate of the first row's e-mail
        yield row


def write_leads(out: IO[str], count: int, seed: int = 7, with_errors: bool = False) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(lead_rows(count, seed, with_errors))


SENTENCES = [
    "Downloaded the pricing sheet and asked about volume discounts.",
    "Runs three warehouses and wants stock levels synced nightly.",
    "Current vendor contract ends in March; evaluating two others.",
    "Prefers a call on Tuesdays, after 3 PM in their time zone.",
    "Needs SSO and an audit log before security will sign off.",
    "Asked whether the \"Starter\" plan covers five users, or ten.",
    "Budget approved for Q3, pending a demo for the finance team.",
    "Came in through the partner webinar on supply chain analytics.",
    "Wants a pilot with one region first, then a company-wide rollout.",
    "Mentioned a competitor's quote, lower by about 12 percent.",
]


def write_leads_of_size(out: IO[bytes], target_bytes: int, seed: int = 7) -> int:
    """Writes leads until the file reaches `target_bytes`; returns the number of data rows.

    Shaped like a CRM export of real leads: records of about 400 bytes, and one in three holds a
    multi-line description (quoted line breaks), so that only a quote-aware split is right.
    """
    rng = random.Random(seed)
    text = io.StringIO()
    write_leads(text, 0)
    written = out.write(text.getvalue().encode())
    rows = 0
    while written < target_bytes:
        block = io.StringIO()
        writer = csv.writer(block, lineterminator="\r\n")
        for row in lead_rows(2_000, seed + rows, False):
            row[3] = row[3].replace("@", f".{rows}@", 1)  # unique across blocks
            notes = rng.sample(SENTENCES, 5)
            row[9] = ("\n".join(notes[:2]) + " " + " ".join(notes[2:]) if rows % 3 == 0
                      else " ".join(notes))
            rows += 1
            writer.writerow(row)
        written += out.write(block.getvalue().encode())
    return rows
