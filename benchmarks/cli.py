"""`python -m benchmarks`: generate the data, run the sections, print the table, save JSON."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import datasets, machine, report, suite, targets

logger = logging.getLogger("catalyst_local.benchmarks")
RESULTS = Path(__file__).resolve().parent / "results"


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmarks of catalyst-local's CSV import path. Sections: "
                    + ", ".join(suite.SECTIONS) + ".")
    parser.add_argument("--quick", action="store_true",
                        help="small files and few runs: a smoke test of the whole suite")
    parser.add_argument("--runs", type=int, default=None,
                        help="runs per figure (default 5, or 2 with --quick)")
    parser.add_argument("--e2e-runs", type=int, default=None,
                        help="end-to-end runs (default: --runs, at most 3)")
    parser.add_argument("--only", action="append", choices=list(suite.SECTIONS),
                        metavar="NAME", help="run only this section (repeatable)")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json",
                        help="where to write the JSON results")
    parser.add_argument("--budget", type=float, default=540.0,
                        help="seconds the whole run should fit in; end to end drops its third "
                             "run rather than overrun it (default 540)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated CSVs")
    parser.add_argument("--data-dir", type=Path, default=RESULTS / "data",
                        help="where the generated CSVs are kept between runs")
    options = parser.parse_args(argv)
    if options.runs is not None and options.runs < 1:
        parser.error("--runs must be at least 1")
    if options.e2e_runs is not None and options.e2e_runs < 1:
        parser.error("--e2e-runs must be at least 1")
    return options


def _plan(options: argparse.Namespace,
          started: float) -> tuple[suite.Plan, dict[int, datasets.Dataset]]:
    if options.quick:
        runs, main_mib, scaling_mib, e2e_mib = options.runs or 2, 8, [1, 2, 4, 8], 1
        requests, sdk_ops = 200, 100
    else:
        runs, main_mib, scaling_mib, e2e_mib = options.runs or 5, 80, [10, 20, 40, 80], 80
        requests, sdk_ops = 500, 300
    e2e_runs = options.e2e_runs or min(runs, 3)
    logger.info("Preparing the leads CSVs under %s", options.data_dir)
    files = datasets.prepare(options.data_dir, sorted({main_mib, e2e_mib, *scaling_mib}),
                             options.seed)
    plan = suite.Plan(runs=runs, main=files[main_mib], scaling=[files[m] for m in scaling_mib],
                      end_to_end=files[e2e_mib], end_to_end_runs=e2e_runs,
                      gateway_requests=requests, sdk_ops=sdk_ops,
                      deadline=started + options.budget)
    return plan, files


def _run_sections(plan: suite.Plan, names: list[str]) -> dict[str, Any]:
    sections: dict[str, Any] = {}
    for name in names:
        started = time.monotonic()
        logger.info("Section %s", name)
        try:
            sections[name] = suite.SECTIONS[name](plan)
        except Exception as exc:  # one broken section must not hide the others' figures
            logger.error("Section %s failed: %s: %s", name, type(exc).__name__, exc)
            sections[name] = {"error": f"{type(exc).__name__}: {exc}"}
        sections[name]["elapsed_seconds"] = round(time.monotonic() - started, 1)
    return sections


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S",
                        stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    options = _options(argv)
    started = time.monotonic()
    facts = machine.facts()
    plan, files = _plan(options, started)
    try:
        names = [name for name in suite.SECTIONS if not options.only or name in options.only]
        sections = _run_sections(plan, names)
    finally:
        suite.clean_up(plan)
    verdicts = targets.evaluate(sections)
    facts["load_average_at_end"] = list(os.getloadavg())

    print(report.table(sections, verdicts))
    results = {
        "machine": facts,
        "options": {"quick": options.quick, "runs": plan.runs,
                    "end_to_end_runs": plan.end_to_end_runs, "seed": options.seed,
                    "sections": names},
        "datasets": {str(mib): data.describe() for mib, data in sorted(files.items())},
        "sections": sections,
        "targets": [v.as_dict() for v in verdicts],
        "elapsed_seconds": round(time.monotonic() - started, 1),
    }
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(results, indent=2))
    print(f"\nresults written to {options.out} in {results['elapsed_seconds']} s")

    broken = [name for name, section in sections.items() if "error" in section]
    inexact = sections.get("splitzip", {}).get("verify", {}).get("exact") is False
    return 1 if broken or inexact else 0
