"""The figures of the city-wide benchmark (``bench/city_reports.py``): one measured run
(``Round``), the tables printed of a variant's runs, and the targets they are held to
(issue 12, 2 cores, two worker processes).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

TARGET_COLD = 30.0
TARGET_CHANGED = 10.0
TARGET_ALL = 90.0
TARGET_MIB = 300.0


@dataclass
class Round:
    """One measured run: seconds, what it made, and peak memory per pool process (MiB)."""

    seconds: float
    pages: int = 0
    size: int = 0
    peaks_mib: list[float] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


def print_tables(
    audience: str,
    approved: int,
    rounds: dict[str, list[Round]],
    starts: dict[int, list[float]],
) -> list[str]:
    """Print a variant's tables; return the targets missed.

    ``approved``: the year's approved annual follow-ups (the all-bodies row's label).
    """
    cold = rounds["cold2"] or rounds["cold1"]
    naive = rounds["naive"]
    print(
        f"\n== {audience}: {_values([r.pages for r in cold])} pages, "
        f"{_values([round(r.size / 1024) for r in cold])} kB"
        + (
            f"; naive {_values([r.pages for r in naive])} pages, "
            f"{_values([round(r.size / 1024) for r in naive])} kB"
            if naive
            else ""
        )
    )
    print(f"{'':<52} {'n':>2} {'min':>6} {'median':>6} {'max':>6}   peak MiB per process")
    rows = (
        ("cold1", "cold, 1 worker process (request to file) s"),
        ("cold2", "cold, 2 worker processes (request to file) s"),
        ("changed", "after one body changed, 2 processes s"),
        ("all", f"all {approved} bodies' annual reports, 2 processes s"),
        ("naive", "naive: one document, one new process s"),
    )
    for key, label in rows:
        found = rounds.get(key) or []
        if not found:
            continue
        seconds = [r.seconds for r in found]
        peak = max(max(r.peaks_mib) for r in found if r.peaks_mib)
        print(f"{label:<52} {len(found):>2} {_spread(seconds)}   {peak:.0f}")
    for concurrency, started in starts.items():
        if started:
            print(
                f"The worker's start with {concurrency} process(es), to ready: "
                f"{_spread(started)} s (before each cold run, not in its time)"
            )
    for key, label in rows[:3]:
        found = rounds.get(key) or []
        if found:
            print(f"{label.rsplit(' s', 1)[0]}: " + _city_detail(found))
    for one in rounds["all"]:
        detail = one.detail
        print(
            f"All bodies: {detail['reports']} reports, {one.pages} pages, "
            f"{one.size / 1024 / 1024:.1f} MB; asking for them took "
            f"{detail['request']:.2f} s; the runs' own seconds add up to {detail['work']:.1f} s"
        )
    for one in rounds["naive"]:
        steps = ", ".join(f"{name} {value:.2f} s" for name, value in one.detail.items())
        print(f"Naive: {steps}")

    missed = []
    checks = (
        ("cold2", TARGET_COLD, "cold, 2 processes"),
        ("changed", TARGET_CHANGED, "after one body changed"),
        ("all", TARGET_ALL, "all bodies' annual reports"),
    )
    for key, target, label in checks:
        found = rounds.get(key) or []
        if not found:
            continue
        median = statistics.median(r.seconds for r in found)
        verdict = "met" if median <= target else f"missed by {median - target:.2f} s"
        print(f"Target {label}: median {median:.2f} s against ≤ {target:.0f} s: {verdict}")
        if median > target:
            missed.append(f"{audience}, {label}: {median:.2f} s > {target:.0f} s")
    worker_peak = max(
        (
            p
            for key in ("cold2", "changed", "all")
            for r in rounds.get(key) or []
            for p in r.peaks_mib
        ),
        default=0.0,
    )
    verdict = "met" if worker_peak <= TARGET_MIB else f"missed by {worker_peak - TARGET_MIB:.0f}"
    print(f"Target memory: {worker_peak:.0f} MiB per worker process at most: {verdict}")
    if worker_peak > TARGET_MIB:
        missed.append(f"{audience}, memory: {worker_peak:.0f} MiB > {TARGET_MIB:.0f} MiB")
    return missed


def _spread(values: list[float]) -> str:
    return f"{min(values):6.2f} {statistics.median(values):6.2f} {max(values):6.2f}"


def _values(values: list[int]) -> str:
    return "/".join(str(value) for value in sorted(set(values)))


def _city_detail(found: list[Round]) -> str:
    """Medians of what a city-wide run did: parts rendered, their seconds, the joining."""

    def median(key: str) -> float:
        values = [r.detail[key] for r in found if r.detail.get(key) is not None]
        return statistics.median(values) if values else float("nan")

    return (
        f"{_values([r.detail['body_parts'] for r in found])} body parts and "
        f"{_values([r.detail['overviews'] for r in found])} overview(s) rendered "
        f"(overview {_values([r.detail['overview_pages'] or 0 for r in found])} pages); medians: "
        f"request {median('request'):.2f} s, to planned {median('planned'):.2f} s, body parts "
        f"{median('body_seconds'):.1f} s of rendering in all over "
        f"{median('parts_span'):.2f} s, overview "
        f"{median('overview_seconds'):.2f} s, "
        f"last part to file {median('joining'):.2f} s"
    )
