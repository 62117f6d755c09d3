"""The printed table: one line per figure (median, min-max over the runs), then the targets."""

from __future__ import annotations

from typing import Any

from benchmarks.targets import Verdict

STEP_LABELS = {
    "raw_read": "raw read (page cache)",
    "record_scan": "record-boundary scan, bytes methods",
    "record_scan_numpy": "record-boundary scan, numpy",
    "zlib_1": "zlib-6, one core",
    "zlib_all": "zlib-6, all cores (threads)",
    "zlibng_1": "zlib-ng-6, one core",
    "zlibng_all": "zlib-ng-6, all cores (threads)",
    "pigz": "pigz -6 -p 2",
    "naive_split": "naive csv + zipfile split",
    "splitzip": "split+zip (initiator's own)",
}
RATIO_LABELS = {"zlib_all": "zlib-6 all cores", "zlibng_all": "zlib-ng-6 all cores",
                "pigz": "pigz -6 -p 2", "naive_split": "naive split"}


def _cell(summary: dict[str, float] | None, digits: int, unit: str) -> tuple[str, str]:
    if not summary:
        return "-", ""
    value = f"{summary['median']:.{digits}f} {unit}".rstrip()
    spread = f"{summary['low']:.{digits}f}-{summary['high']:.{digits}f}"
    return value, spread


def _line(rows: list[tuple[str, str, str, str]], label: str, summary: dict[str, float] | None,
          digits: int, unit: str, note: str = "") -> None:
    rows.append((label, *_cell(summary, digits, unit), note))


def _splitzip(section: dict[str, Any], rows: list[tuple[str, str, str, str]]) -> None:
    for name, label in STEP_LABELS.items():
        figures = section["steps"].get(name)
        if figures is None:
            reason = section.get("unavailable", {}).get(name)
            if reason:
                rows.append((label, reason, "", ""))
            continue
        rate = figures.get("mb_per_s")
        note = f"{rate['median']:.0f} MB/s" if rate else ""
        if name in ("splitzip", "naive_split"):
            note += f", peak RSS {figures['peak_rss_mb']['median']:.1f} MB"
        _line(rows, label, figures["seconds"], 3, "s", note)
    for reference, summary in section.get("ratios", {}).items():
        _line(rows, f"split+zip / {RATIO_LABELS[reference]}", summary, 2, "x")
    verify = section.get("verify")
    if verify:
        exact = "exact" if verify.get("exact") else f"NOT exact: {verify.get('problem')}"
        rows.append(("split+zip output rejoined vs input", exact,
                     "", f"{verify.get('batches')} batches, {verify.get('rows')} rows"))


def _scaling(section: dict[str, Any], rows: list[tuple[str, str, str, str]]) -> None:
    if "unavailable" in section:
        rows.append(("split+zip scaling", section["unavailable"], "", ""))
        return
    for mib, figures in section["sizes"].items():
        _line(rows, f"split+zip at {mib} MiB", figures["seconds"], 3, "s",
              f"peak RSS {figures['peak_rss_mb']['median']:.1f} MB")


def _upload(section: dict[str, Any], rows: list[tuple[str, str, str, str]]) -> None:
    mib = section["dataset"]
    _line(rows, f"loopback upload floor, stored, {mib} MiB", section["stored_floor_seconds"], 3,
          "s", f"{section['stored_floor_mb_per_s']['median']:.0f} MB/s, written and fsynced")
    _line(rows, f"loopback upload floor, dropped, {mib} MiB", section["floor_seconds"], 3, "s",
          f"{section['floor_mb_per_s']['median']:.0f} MB/s")
    _line(rows, f"POST /job into File Store, {mib} MiB", section["upload_seconds"], 3, "s",
          f"{section['upload_mb_per_s']['median']:.0f} MB/s")
    _line(rows, "upload throughput / stored floor", section["throughput_vs_stored_floor"], 2,
          "x")
    _line(rows, "upload throughput / dropped floor", section["throughput_vs_floor"], 2, "x")
    for name, summary in section["rss_growth_mb"].items():
        _line(rows, f"RSS growth during upload: {name}", summary, 1, "MB")


def _e2e(section: dict[str, Any], rows: list[tuple[str, str, str, str]]) -> None:
    mib = section["dataset"]
    _line(rows, f"end to end, {mib} MiB, upload to all jobs COMPLETED", section["seconds"], 2,
          "s", f"{section['rows']} rows, {section['seconds']['runs']} of "
          f"{section['runs_planned']} runs, polled every {section['poll_interval_seconds']} s")
    _line(rows, "  of which upload to all jobs created", section["all_jobs_created_seconds"], 2,
          "s")
    _line(rows, "  rows per second end to end", section["rows_per_s"], 0, "rows/s")


def _gateway(section: dict[str, Any], rows: list[tuple[str, str, str, str]]) -> None:
    for path, label in (("gateway", "GET via /server/echo/"), ("direct", "GET to worker")):
        figures = section[path]
        _line(rows, f"{label} p50", figures["p50_ms"], 2, "ms",
              f"{figures['rps']['median']:.0f} req/s")
        _line(rows, f"{label} p99", figures["p99_ms"], 2, "ms")
    _line(rows, "gateway overhead at p50", section["p50_overhead_ms"], 2, "ms")
    sdk = section["sdk_cache"]
    _line(rows, "SDK cache put", sdk["put_ops"], 0, "ops/s")
    _line(rows, "SDK cache get", sdk["get_ops"], 0, "ops/s")


RENDERERS = {"splitzip": _splitzip, "scaling": _scaling, "upload": _upload, "e2e": _e2e,
             "gateway": _gateway}


def table(sections: dict[str, Any], verdicts: list[Verdict]) -> str:
    rows: list[tuple[str, str, str, str]] = [("figure", "median", "min-max", "notes")]
    for name, section in sections.items():
        if "error" in section:
            rows.append((name, f"failed: {section['error']}", "", ""))
            continue
        RENDERERS[name](section, rows)
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
             + ("  " + row[3] if row[3] else "") for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines += ["", "targets:"]
    width = max((len(v.target) for v in verdicts), default=0)
    lines += [f"  {v.verdict.upper():4}  {v.target.ljust(width)}  {v.value}" for v in verdicts]
    return "\n".join(lines)
