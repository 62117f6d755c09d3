"""The targets the figures are held against, each judged pass, fail or n/a.

A target is reported, never enforced: a run with failing targets still succeeds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

SPLIT_VS_DEFLATE = 1.25
SPLIT_PEAK_RSS_MB = 64.0
# Linear: every size's time within 15 % of the least-squares line through all of them.
LINEAR_TOLERANCE = 0.15
# Flat: peak RSS at every size within 8 MB of the largest size's.
FLAT_RSS_MB = 8.0
UPLOAD_VS_FLOOR = 0.5
SERVER_RSS_GROWTH_MB = 50.0
GATEWAY_OVERHEAD_MS = 2.0


@dataclass(frozen=True)
class Verdict:
    target: str
    value: str
    verdict: str  # "pass", "fail" or "n/a"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _judge(target: str, value: float | None, ok: bool | None, fmt: str) -> Verdict:
    if value is None or ok is None:
        return Verdict(target, "not measured", "n/a")
    return Verdict(target, fmt.format(value), "pass" if ok else "fail")


def _median(section: dict[str, Any] | None, *keys: str) -> float | None:
    node: Any = section
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node.get("median") if isinstance(node, dict) else None


def evaluate(sections: dict[str, Any]) -> list[Verdict]:
    split = sections.get("splitzip")
    verdicts = []

    # The floor the target names is zlib level 6 on every core. When the product deflates with
    # zlib-ng, the same ratio against zlib-ng's own all-core deflate is judged too: stricter.
    floors = [("zlib_all", "zlib-6 all cores (the floor)")]
    if (split or {}).get("product_floor") == "zlibng_all":
        floors.append(("zlibng_all", "zlib-ng-6 all cores (its own library)"))
    for floor, label in floors:
        ratio = _median(split, "ratios", floor)
        verdicts.append(_judge(f"split+zip <= {SPLIT_VS_DEFLATE}x {label}", ratio,
                               ratio is not None and ratio <= SPLIT_VS_DEFLATE, "{:.2f}x"))
    if split and "pigz" in split.get("unavailable", {}):
        verdicts.append(Verdict("split+zip faster than pigz -6 -p 2", "pigz not installed",
                                "n/a"))
    else:
        ratio = _median(split, "ratios", "pigz")
        verdicts.append(_judge("split+zip faster than pigz -6 -p 2", ratio,
                               ratio is not None and ratio < 1.0, "{:.2f}x pigz"))
    peak = _median(split, "steps", "splitzip", "peak_rss_mb")
    verdicts.append(_judge(f"split+zip peak RSS < {SPLIT_PEAK_RSS_MB:.0f} MB at the main size",
                           peak, peak is not None and peak < SPLIT_PEAK_RSS_MB, "{:.1f} MB"))
    verdicts.extend(_scaling(sections.get("scaling")))

    upload = sections.get("upload")
    # The floor is a loopback upload that stores its bytes (written and fsynced), the least a
    # store of uploads can do; the floor that drops them on arrival is judged too, as stricter.
    for key, label in (("throughput_vs_stored_floor", "loopback floor, stored"),
                       ("throughput_vs_floor", "loopback floor, dropped (stricter)")):
        ratio = _median(upload, key)
        verdicts.append(_judge(f"upload >= {UPLOAD_VS_FLOOR}x {label}", ratio,
                               ratio is not None and ratio >= UPLOAD_VS_FLOOR, "{:.2f}x"))
    growth = _median(upload, "rss_growth_mb", "server")
    verdicts.append(_judge(f"server RSS growth < {SERVER_RSS_GROWTH_MB:.0f} MB during upload",
                           growth, growth is not None and growth < SERVER_RSS_GROWTH_MB,
                           "{:.1f} MB"))

    overhead = _median(sections.get("gateway"), "p50_overhead_ms")
    verdicts.append(_judge(f"gateway overhead < {GATEWAY_OVERHEAD_MS:.0f} ms at p50", overhead,
                           overhead is not None and overhead < GATEWAY_OVERHEAD_MS,
                           "{:.2f} ms"))
    return verdicts


def _scaling(section: dict[str, Any] | None) -> list[Verdict]:
    sizes = (section or {}).get("sizes") or {}
    if len(sizes) < 2:
        return [Verdict("split+zip time linear in size", "not measured", "n/a"),
                Verdict("split+zip memory flat in size", "not measured", "n/a")]
    by_mib = sorted((int(mib), figures) for mib, figures in sizes.items())
    largest_mib = by_mib[-1][0]
    # Linear means time = start-up + size x rate: a straight line with an intercept (starting
    # a process and a thread pool costs the same at every size), every point close to it.
    points = [(mib, f["seconds"]["median"]) for mib, f in by_mib]
    slope, intercept = _least_squares(points)
    worst = max(abs(seconds / (intercept + slope * mib) - 1) for mib, seconds in points)
    spread = " ".join(f"{mib}:{seconds:.3f}s" for mib, seconds in points)
    linear = Verdict(f"split+zip time linear {by_mib[0][0]}->{largest_mib} MiB "
                     f"(each within {LINEAR_TOLERANCE:.0%} of the fitted line)",
                     f"{spread}; {slope * 1000:.1f} ms/MiB + {intercept * 1000:.0f} ms",
                     "pass" if worst <= LINEAR_TOLERANCE else "fail")
    peaks = {mib: f["peak_rss_mb"]["median"] for mib, f in by_mib}
    drift = max(abs(value - peaks[largest_mib]) for value in peaks.values())
    flat = Verdict(f"split+zip memory flat (peak within {FLAT_RSS_MB:.0f} MB)",
                   " ".join(f"{mib}:{value:.0f}MB" for mib, value in peaks.items()),
                   "pass" if drift <= FLAT_RSS_MB else "fail")
    return [linear, flat]


def _least_squares(points: list[tuple[int, float]]) -> tuple[float, float]:
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    slope = (sum((x - mean_x) * (y - mean_y) for x, y in points)
             / sum((x - mean_x) ** 2 for x, _ in points))
    return slope, mean_y - slope * mean_x
