"""The benchmark sections: each runs its measurements and returns plain, JSON-ready figures.

Every timed figure is summarised over `runs` repetitions (median, min-max, IQR); runs of
different steps are interleaved, so a burst of load from elsewhere hits all of them alike.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import gateway, machine, splitzip, upload
from benchmarks.datasets import Dataset
from benchmarks.isolated import run_step
from benchmarks.server import Server, copy_import_project
from benchmarks.stats import Summary

logger = logging.getLogger("catalyst_local.benchmarks")

STEP_TIMEOUT = 300.0
IMPORT_TIMEOUT = 600.0
# Steps of the floors-and-peers section, in the order each run takes them.
FLOOR_STEPS = ["raw_read", "record_scan", "record_scan_numpy", "zlib_1", "zlib_all", "zlibng_1",
               "zlibng_all", "pigz", "naive_split", "splitzip"]


@dataclass
class Plan:
    runs: int
    main: Dataset
    scaling: list[Dataset]
    end_to_end: Dataset
    end_to_end_runs: int
    gateway_requests: int
    sdk_ops: int
    # time.monotonic() by which the whole run should be done; end to end stops adding runs
    # when the next one would likely overrun it.
    deadline: float = float("inf")
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bench_work_")))


def warm_page_cache(path: Path) -> None:
    with open(path, "rb") as source:
        while source.read(4 * 1024 * 1024):
            pass


def _step_figures(results: list[dict[str, Any]], size: int) -> dict[str, Any]:
    seconds = [r["seconds"] for r in results]
    return {
        "seconds": Summary.of(seconds).as_dict(),
        "mb_per_s": Summary.of([size / 1e6 / s for s in seconds if s > 0]).as_dict()
        if all(s > 0 for s in seconds) else None,
        "peak_rss_mb": Summary.of([r["peak_rss_kib"] * 1024 / 1e6 for r in results]).as_dict(),
        "baseline_rss_mb": Summary.of(
            [r["baseline_rss_kib"] * 1024 / 1e6 for r in results]).as_dict(),
        "runs": results,
    }


def floors_and_split(plan: Plan) -> dict[str, Any]:
    """Items 1 and 2: read, scan and deflate floors, peers, and the initiator's split and zip,
    all on the same bytes in the same run."""
    data = plan.main
    unavailable: dict[str, str] = {}
    steps = list(FLOOR_STEPS)
    pythons = {name: sys.executable for name in steps}
    if machine.numpy_version() is None:
        steps.remove("record_scan_numpy")
        unavailable["record_scan_numpy"] = "numpy is not installed in the base Python"
    else:
        pythons["record_scan_numpy"] = machine.base_python()
    if machine.pigz_version() is None:
        steps.remove("pigz")
        unavailable["pigz"] = "not installed"
    missing = splitzip.available()
    if missing:
        steps.remove("splitzip")
        unavailable["splitzip"] = f"not available: {missing}"

    warm_page_cache(data.path)
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in steps}
    for run in range(plan.runs):
        logger.info("Floors and split, run %d of %d", run + 1, plan.runs)
        for name in steps:
            results[name].append(run_step(name, STEP_TIMEOUT, pythons[name],
                                          path=str(data.path)))

    figures = {name: _step_figures(runs, data.size) for name, runs in results.items()}
    section: dict[str, Any] = {"dataset": data.nominal_mib, "steps": figures,
                               "unavailable": unavailable}
    if "splitzip" in steps:
        # The target compares with the all-cores floor of the library the splitter deflates
        # with; the other library's and pigz's ratios are shown beside it.
        section["deflate_library"] = splitzip.deflate_library()
        section["product_floor"] = ("zlibng_all" if section["deflate_library"].startswith("zlib_ng")
                                    else "zlib_all")
        section["verify"] = run_step("splitzip_verify", STEP_TIMEOUT, path=str(data.path))
        section["ratios"] = _paired_ratios(results, "splitzip",
                                           ["zlib_all", "zlibng_all", "pigz", "naive_split"])
    return section


def _paired_ratios(results: dict[str, list[dict[str, Any]]], subject: str,
                   references: list[str]) -> dict[str, Any]:
    """subject / reference per run (both ran in the same run), then summarised."""
    ratios = {}
    for reference in references:
        if reference not in results:
            continue
        pairs = zip(results[subject], results[reference], strict=True)
        ratios[reference] = Summary.of([a["seconds"] / b["seconds"] for a, b in pairs]).as_dict()
    return ratios


def scaling(plan: Plan) -> dict[str, Any]:
    """Item 6: split and zip at each size, interleaved run by run."""
    missing = splitzip.available()
    if missing:
        return {"unavailable": f"not available: {missing}"}
    for data in plan.scaling:
        warm_page_cache(data.path)
    results: dict[int, list[dict[str, Any]]] = {d.nominal_mib: [] for d in plan.scaling}
    for run in range(plan.runs):
        logger.info("Scaling, run %d of %d", run + 1, plan.runs)
        for data in plan.scaling:
            results[data.nominal_mib].append(
                run_step("splitzip", STEP_TIMEOUT, path=str(data.path)))
    sizes = {d.nominal_mib: d for d in plan.scaling}
    return {"sizes": {str(mib): {"bytes": sizes[mib].size, "rows": sizes[mib].rows,
                                 **_step_figures(runs, sizes[mib].size)}
                      for mib, runs in results.items()}}


def uploads(plan: Plan) -> dict[str, Any]:
    """Item 3: the loopback floors and `POST /job` into the File Store, on a server whose
    Event Listener rule is off (an upload only; no import starts)."""
    project = copy_import_project(plan.work / "upload_project", rule_enabled=False)
    warm_page_cache(plan.main.path)
    logger.info("Uploads, %d runs", plan.runs)
    raw = upload.measure_uploads(project, plan.main.path, plan.runs)
    size = plan.main.size

    def ratios(floors: list[float]) -> dict[str, float]:
        return Summary.of([f / u for f, u in zip(floors, raw["upload_seconds"], strict=True)]
                          ).as_dict()

    return {
        "dataset": plan.main.nominal_mib,
        "floor_seconds": Summary.of(raw["floor_seconds"]).as_dict(),
        "floor_mb_per_s": Summary.of([size / 1e6 / s for s in raw["floor_seconds"]]).as_dict(),
        "stored_floor_seconds": Summary.of(raw["stored_floor_seconds"]).as_dict(),
        "stored_floor_mb_per_s": Summary.of([size / 1e6 / s
                                             for s in raw["stored_floor_seconds"]]).as_dict(),
        "upload_seconds": Summary.of(raw["upload_seconds"]).as_dict(),
        "upload_mb_per_s": Summary.of([size / 1e6 / s for s in raw["upload_seconds"]]).as_dict(),
        "throughput_vs_stored_floor": ratios(raw["stored_floor_seconds"]),
        "throughput_vs_floor": ratios(raw["floor_seconds"]),
        "rss_growth_mb": {name: Summary.of([k * 1024 / 1e6 for k in values]).as_dict()
                          for name, values in raw["rss_growth_kib"].items()},
        "raw": raw,
    }


def end_to_end(plan: Plan) -> dict[str, Any]:
    """Item 4: upload to every bulk write job COMPLETED in the sandbox, a fresh server per run."""
    project = copy_import_project(plan.work / "import_project", rule_enabled=True)
    data = plan.end_to_end
    warm_page_cache(data.path)
    runs = []
    minimum = min(2, plan.end_to_end_runs)
    for run in range(plan.end_to_end_runs):
        started = time.monotonic()
        logger.info("End to end, run %d of at most %d", run + 1, plan.end_to_end_runs)
        runs.append(upload.measure_end_to_end(project, data.path, timeout=IMPORT_TIMEOUT))
        took = time.monotonic() - started
        if len(runs) >= minimum and time.monotonic() + took > plan.deadline:
            logger.info("End to end stops after %d runs to stay within the time budget",
                        len(runs))
            break
    return {
        "dataset": data.nominal_mib,
        "rows": data.rows,
        "seconds": Summary.of([r["seconds"] for r in runs]).as_dict(),
        "all_jobs_created_seconds": Summary.of([r["submitted_seconds"] for r in runs]).as_dict(),
        "rows_per_s": Summary.of([data.rows / r["seconds"] for r in runs]).as_dict(),
        "poll_interval_seconds": upload.POLL_SECONDS,
        "runs_planned": plan.end_to_end_runs,
        "runs": runs,
    }


def gateway_and_sdk(plan: Plan) -> dict[str, Any]:
    """Item 5: a small GET through the gateway against the same worker called directly, and
    Cache put and get through the official SDK."""
    project = gateway.write_echo_project(plan.work / "echo_project")
    with Server(project) as server:
        logger.info("Gateway, %d runs of %d requests", plan.runs, plan.gateway_requests)
        latency = gateway.measure_gateway(server, plan.runs, plan.gateway_requests)
        logger.info("SDK cache, %d runs of %d puts and gets", plan.runs, plan.sdk_ops)
        sdk = [gateway.measure_sdk_cache(server, plan.sdk_ops) for _ in range(plan.runs)]
    section: dict[str, Any] = {"requests_per_run": plan.gateway_requests}
    for path, runs in latency.items():
        section[path] = {key: Summary.of([r[key] for r in runs]).as_dict()
                         for key in ("p50_ms", "p99_ms", "rps")}
    overheads = [g["p50_ms"] - d["p50_ms"]
                 for g, d in zip(latency["gateway"], latency["direct"], strict=True)]
    section["p50_overhead_ms"] = Summary.of(overheads).as_dict()
    section["sdk_cache"] = {"ops_per_run": plan.sdk_ops,
                            "put_ops": Summary.of([r["put_ops"] for r in sdk]).as_dict(),
                            "get_ops": Summary.of([r["get_ops"] for r in sdk]).as_dict()}
    return section


SECTIONS: dict[str, Callable[[Plan], dict[str, Any]]] = {
    "splitzip": floors_and_split,
    "scaling": scaling,
    "upload": uploads,
    "gateway": gateway_and_sdk,
    # Last: it takes longest, and it fits its number of runs to the time left.
    "e2e": end_to_end,
}


def clean_up(plan: Plan) -> None:
    shutil.rmtree(plan.work, ignore_errors=True)
