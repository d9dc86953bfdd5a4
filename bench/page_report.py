"""The tables ``bench/pages.py`` prints: in process, under load, and the targets per page.

With two checkouts every figure stands as "before" beside "after"; "–" marks a page the
checkout's code did not answer with 200 (or a figure that could not be read).
"""

from __future__ import annotations

import argparse
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGET_CPU_MS = 25.0
TARGET_P95_MS = 150.0
LABEL = 44
DASH = "–"

Figure = Callable[[Any], float | None]


def _number(value: float | None, decimals: int) -> str:
    return DASH if value is None else f"{value:.{decimals}f}"


def _cpu_figure(group: str, name: str) -> Figure:
    """One figure of page_cpu's result (None where the page did not answer 200)."""

    def read(result: Any) -> float | None:
        if not result or result.get("status") != 200 or not result.get(group):
            return None
        value = result[group][name]
        return None if value is None else float(value)

    return read


def _queries(result: Any) -> float | None:
    return float(result["queries"]) if result and result.get("status") == 200 else None


def _load_figure(name: str) -> Figure:
    def read(load: Any) -> float | None:
        return None if load is None or isinstance(load, int) else float(getattr(load, name))

    return read


def cpu_total(result: Any) -> float | None:
    """Python's CPU plus PostgreSQL's, warm (Python's alone when PostgreSQL's is unknown)."""
    cpu = _cpu_figure("warm", "cpu_ms")(result)
    if cpu is None:
        return None
    return cpu + (_cpu_figure("warm", "pg_ms")(result) or 0.0)


IN_PROCESS: list[tuple[str, Figure, int]] = [
    ("queries", _queries, 0),
    ("CPU", _cpu_figure("warm", "cpu_ms"), 1),
    ("PG", _cpu_figure("warm", "pg_ms"), 1),
    ("wall", _cpu_figure("warm", "wall_ms"), 1),
    ("CPU", _cpu_figure("after_edit", "cpu_ms"), 1),
    ("PG", _cpu_figure("after_edit", "pg_ms"), 1),
    ("wall", _cpu_figure("after_edit", "wall_ms"), 1),
]
UNDER_LOAD: list[tuple[str, Figure, int]] = [
    ("req/s", _load_figure("requests_per_second"), 1),
    ("p50", _load_figure("p50"), 0),
    ("p95", _load_figure("p95"), 0),
    ("p99", _load_figure("p99"), 0),
]


def _table(
    pages: list[Any],
    checkouts: list[Any],
    columns: list[tuple[str, Figure, int]],
    of: Callable[[Any, str], Any],
) -> None:
    """One row per page; a column per figure, split in before/after with two checkouts."""
    width = 7 * len(checkouts)
    print(f"{'page':<{LABEL}}" + "".join(f"{title:>{width}}" for title, _f, _d in columns))
    if len(checkouts) > 1:
        names = "".join(f"{c.name:>7}" for c in checkouts)
        print(" " * LABEL + names * len(columns))
    for page in pages:
        cells = [
            f"{_number(figure(of(checkout, page.key)), decimals):>7}"
            for _title, figure, decimals in columns
            for checkout in checkouts
        ]
        print(f"{page.label[:LABEL]:<{LABEL}}" + "".join(cells))


def _commit(code: Path) -> str:
    """The checkout's commit, and whether its work tree differs from it."""

    def git(*command: str) -> str:
        done = subprocess.run(["git", "-C", str(code), *command], capture_output=True)
        return done.stdout.decode().strip()

    changed = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "--short", "HEAD") + (" with uncommitted changes" if changed else "")


def load_average() -> str:
    """The machine's load over the last 1, 5 and 15 minutes, in words."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} cores"


def _verdict(value: float | None, target: float) -> str:
    if value is None:
        return DASH
    return "met" if value <= target else "missed"


def report(
    args: argparse.Namespace, pages: list[Any], checkouts: list[Any], setting: tuple[int, int]
) -> None:
    """Print every table."""
    names = " and ".join(f"{c.name} = {c.code} ({_commit(c.code)})" for c in checkouts)
    print(f"\nCode: {names}.")
    print(
        f"\nIn process (Django test client, DEBUG off), ms a request: medians of "
        f"{args.requests} warm requests, then of {args.edits} first requests after an edit "
        "of a record the page shows."
    )
    print(
        "  CPU = this Python process (time.process_time: views, templates, the driver's side "
        "of SQL); PG = the PostgreSQL backend's own CPU (a mean, from 10 ms ticks; not in "
        "CPU); wall = elapsed time, waiting on PostgreSQL included."
    )
    warm, edited = 28 * len(checkouts), 21 * len(checkouts)
    print(f"{'':<{LABEL}}{'— warm —':^{warm}}{'— first after edit —':^{edited}}")
    _table(pages, checkouts, IN_PROCESS, lambda checkout, key: checkout.cpu.get(key))

    workers, threads = setting
    print(
        f"\nUnder load: wrk -t2 -c{args.connections} -d{args.duration}s against gunicorn "
        f"{workers} workers × {threads} threads on 127.0.0.1, PostgreSQL; ms."
    )
    _table(pages, checkouts, UNDER_LOAD, lambda checkout, key: checkout.load.get(key))
    print(f"  At the end of the load: {load_average()}.")
    for checkout in checkouts:
        for page in pages:
            load = checkout.load.get(page.key)
            if load is not None and not isinstance(load, int) and (load.bad_status or load.errors):
                print(
                    f"  {checkout.name}, {page.label}: {load.bad_status} bad answers, "
                    f"{load.errors} errors"
                )
            if isinstance(load, int):
                print(f"  {checkout.name}, {page.label}: answered {load}, not loaded")
        export = checkout.export
        if export is not None:
            print(
                f"  {checkout.name}: Excel export of every activity of the year ({export.rows} "
                f"rows, {export.size / 1024:.0f} kB), SLK: median {export.median_s:.2f} s, "
                f"slowest {export.slowest_s:.2f} s"
            )

    print(
        f"\nTargets: ≤ {TARGET_CPU_MS:.0f} ms CPU warm (Python + PostgreSQL) and "
        f"p95 ≤ {TARGET_P95_MS:.0f} ms under load."
    )
    header = "".join(f"{c.name + ' CPU':>14}{'':>8}{c.name + ' p95':>14}{'':>8}" for c in checkouts)
    print(f"{'page':<{LABEL}}{header}")
    for page in pages:
        cells = []
        for checkout in checkouts:
            total = cpu_total(checkout.cpu.get(page.key))
            p95 = _load_figure("p95")(checkout.load.get(page.key))
            judged = getattr(page, "judged", True)
            cells.append(
                f"{_number(total, 1):>14}{_verdict(total, TARGET_CPU_MS) if judged else '':>8}"
                f"{_number(p95, 0):>14}{_verdict(p95, TARGET_P95_MS) if judged else '':>8}"
            )
        print(f"{page.label[:LABEL]:<{LABEL}}" + "".join(cells))
