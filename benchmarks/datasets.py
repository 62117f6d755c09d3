"""The leads CSVs the benchmarks read, generated once per size and seed and then reused.

The largest file comes from `catalyst_local.sample_data.write_leads_of_size`; the smaller ones
are its prefixes, cut at record ends, so every size holds the same kind of rows. Each file is cut
to at most its nominal size: the service refuses an upload over 80 MiB, and the generator
overshoots its target by up to one block of rows.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from catalyst_local.sample_data import write_leads_of_size

MIB = 1024 * 1024
# A full block of generated rows is about 330 KB; one more MiB leaves room to cut.
_OVERSHOOT = MIB


@dataclass(frozen=True)
class Dataset:
    path: Path
    nominal_mib: int
    size: int
    rows: int
    rows_with_newlines: int
    seed: int

    @property
    def newline_share(self) -> float:
        return self.rows_with_newlines / self.rows if self.rows else 0.0

    def describe(self) -> dict[str, object]:
        facts = asdict(self)
        facts["path"] = str(self.path)
        facts["newline_share"] = round(self.newline_share, 4)
        return facts


def prepare(folder: Path, sizes_mib: list[int], seed: int) -> dict[int, Dataset]:
    """Returns one dataset per size, generating whatever is missing under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    largest = max(sizes_mib)
    datasets = {size: _cached(folder, size, seed) for size in sizes_mib}
    missing = [size for size, found in datasets.items() if found is None]
    if not missing:
        return datasets  # type: ignore[return-value]

    source = folder / f"leads_seed{seed}_raw.csv"
    with open(source, "wb") as out:
        write_leads_of_size(out, largest * MIB + _OVERSHOOT, seed)
    for size in missing:
        datasets[size] = _cut(source, folder, size, seed)
    source.unlink()
    return datasets  # type: ignore[return-value]


def _name(folder: Path, size_mib: int, seed: int) -> Path:
    return folder / f"leads_{size_mib}MiB_seed{seed}.csv"


def _cached(folder: Path, size_mib: int, seed: int) -> Dataset | None:
    path = _name(folder, size_mib, seed)
    facts_path = path.with_suffix(".json")
    if not (path.exists() and facts_path.exists()):
        return None
    facts = json.loads(facts_path.read_text())
    if facts.get("size") != path.stat().st_size:
        return None
    return Dataset(path, size_mib, facts["size"], facts["rows"], facts["rows_with_newlines"],
                   seed)


def _cut(source: Path, folder: Path, size_mib: int, seed: int) -> Dataset:
    path = _name(folder, size_mib, seed)
    end = last_record_end(source, size_mib * MIB)
    with open(source, "rb") as src, open(path, "wb") as out:
        remaining = end
        while remaining:
            chunk = src.read(min(remaining, 4 * MIB))
            out.write(chunk)
            remaining -= len(chunk)
    rows, with_newlines = _count_rows(path)
    dataset = Dataset(path, size_mib, end, rows, with_newlines, seed)
    path.with_suffix(".json").write_text(json.dumps(
        {"size": end, "rows": rows, "rows_with_newlines": with_newlines}))
    return dataset


def last_record_end(path: Path, limit: int) -> int:
    """The largest offset <= `limit` that ends a record (RFC 4180 quote parity)."""
    best = 0
    offset = 0
    inside = False
    with open(path, "rb") as source:
        for line in source:
            offset += len(line)
            if offset > limit:
                break
            if line.count(b'"') % 2:
                inside = not inside
            if not inside and line.endswith(b"\n"):
                best = offset
    return best


def _count_rows(path: Path) -> tuple[int, int]:
    rows = with_newlines = 0
    with open(path, newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        next(reader, None)
        for row in reader:
            rows += 1
            if any("\n" in cell or "\r" in cell for cell in row):
                with_newlines += 1
    return rows, with_newlines
