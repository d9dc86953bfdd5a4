"""Benchmark: one body's annual report rendered as a PDF, cold, in a pool and warm.

    .venv/bin/python bench/reports.py [--database ppm_bench] [--reuse]
                                      [--cold 5] [--warm 10] [--audiences full,general]
    .venv/bin/python bench/reports.py --city [bench/city_reports.py's options]

``--city`` runs ``bench/city_reports.py`` instead (the city-wide report on real Celery
workers, the bodies' annual reports of a year, and the naive one-document rendering),
with the rest of the arguments.

Creates the PostgreSQL database ``--database`` (dropped first if it exists) and fills it
at city scale as ``bench/pages.py`` does (``--reuse`` keeps one that already holds the
data, for instance the one ``bench/pages.py`` made). It then takes the body whose latest
approved annual follow-up has the most rows (activity reports, indicator outcomes, goal
judgements and duty reports; a tie goes to the largest inputs) and renders that report
for each variant of ``--audiences`` through ``bench/report_child.py``, which does what
the site and the worker do: ``request_report`` (the inputs, their hash, a queued run),
then ``render_run`` (template, WeasyPrint, pikepdf, storage, the run marked done).

Cold: ``--cold`` new processes, each timed from just before it is started until its
file is stored and its run is done (interpreter, Django and WeasyPrint start-up
included). Pool: one process starts as a Celery worker's main process does (Django set
up, the task modules imported, ``worker_init`` sent) and forks ``--cold`` pool
processes, each timed from the fork to its first report done. Warm: one process renders
once, untimed, then ``--warm`` times more. Each prints min, median and max seconds, the
split over the steps (median wall and CPU seconds), pages and bytes, and the process's
peak resident memory (the operating system's account of the finished process), and
whether the targets are met: at most 4 s and 300 MiB. ``--profile`` adds a cProfile of
one more warm render (on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pages import _environment, _make_database  # noqa: E402
from report_child import STEPS  # noqa: E402

PYTHON = sys.executable
CHILD = ROOT / "bench" / "report_child.py"
TARGET_SECONDS = 4.0
TARGET_MIB = 300.0
# What the web request does before the worker starts (``request_report``).
REQUEST_STEPS = ("request",)
START_STEPS = ("python", "setup", "weasyprint_import")


def main() -> None:
    """Prepare the data, pick the report, measure it and print the figures."""
    if "--city" in sys.argv[1:]:
        import city_reports

        sys.argv.remove("--city")
        city_reports.main()
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432",
        help="the PostgreSQL server, without a database name",
    )
    parser.add_argument("--database", default="ppm_bench", help="the database to create")
    parser.add_argument("--reuse", action="store_true", help="keep a database already made")
    parser.add_argument("--years", type=int, default=5, help="city scale: years of data")
    parser.add_argument("--cold", type=int, default=5, help="cold runs, a new process each")
    parser.add_argument("--warm", type=int, default=10, help="warm renders after a first")
    parser.add_argument(
        "--audiences", default="full,general", help="the variants: full, members, general"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one warm render")
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="ppm-bench-")
    env = _environment(args, var_dir)
    _make_database(args, env)
    os.environ.update(env)
    import django

    django.setup()
    follow_up, rows = _largest_report()
    from django.db import connection

    connection.close()
    print(
        f"Report: the annual report {follow_up.plan.year} of {follow_up.plan.body.name} "
        f"(follow-up {follow_up.pk}): {rows}.\n"
        f"Machine: {os.cpu_count()} cores, load average {_load()} at the start."
    )
    missed: list[str] = []
    try:
        for audience in args.audiences.split(","):
            missed += _measure(env, follow_up.pk, audience.strip(), args)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    print(f"\nLoad average {_load()} at the end.")
    print(
        "One cold run by hand (for instance under /usr/bin/time -v):\n"
        f"  DATABASE_URL={env['DATABASE_URL']} {os.path.relpath(PYTHON, ROOT)} "
        f"bench/report_child.py --follow-up {follow_up.pk} --audience full"
    )
    print(
        f"\nTargets: ≤ {TARGET_SECONDS:.0f} s and ≤ {TARGET_MIB:.0f} MiB, cold, pool and warm: ",
        end="",
    )
    print("all met." if not missed else "missed:\n  " + "\n  ".join(missed))


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- Which report ------------------------------------------------------------------------


def _largest_report() -> tuple[Any, str]:
    """The latest approved annual follow-up of each body; the one with the most rows.

    Rows tie often (city-scale plans have one size); the tie goes to the follow-up
    whose full inputs are the largest JSON, the most text to lay out.
    """
    from django.db.models import Count

    from programme.models import (
        ActivityReport,
        Audience,
        DutyReport,
        FollowUp,
        FollowUpPeriod,
        FollowUpState,
        GoalJudgement,
        IndicatorOutcome,
    )
    from reporting.queries.report_inputs import report_inputs

    latest: dict[int, Any] = {}
    approved = FollowUp.objects.filter(
        period=FollowUpPeriod.ANNUAL, state=FollowUpState.APPROVED
    ).select_related("plan__body")
    for follow_up in approved.order_by("plan__year", "pk"):
        latest[follow_up.plan.body_id] = follow_up
    if not latest:
        raise SystemExit("No approved annual follow-up; regenerate the data.")
    ids = [follow_up.pk for follow_up in latest.values()]
    kinds = {
        "activity reports": ActivityReport,
        "indicator outcomes": IndicatorOutcome,
        "goal judgements": GoalJudgement,
        "duty reports": DutyReport,
    }
    counts: dict[str, dict[int, int]] = {
        kind: dict(
            model.objects.filter(follow_up__in=ids)  # type: ignore[attr-defined]
            .values_list("follow_up")
            .annotate(n=Count("pk"))
            .values_list("follow_up", "n")
        )
        for kind, model in kinds.items()
    }

    def rows(pk: int) -> int:
        return sum(found.get(pk, 0) for found in counts.values())

    most = max(rows(pk) for pk in ids)
    tied = [follow_up for follow_up in latest.values() if rows(follow_up.pk) == most]
    sizes = {
        follow_up.pk: len(json.dumps(report_inputs(follow_up, Audience.FULL))) for follow_up in tied
    }
    chosen = max(tied, key=lambda follow_up: (sizes[follow_up.pk], -follow_up.pk))
    parts = ", ".join(f"{found.get(chosen.pk, 0)} {kind}" for kind, found in counts.items())
    described = f"{most} rows ({parts})"
    if len(tied) > 1:
        described += (
            f"; {len(tied)} of {len(ids)} bodies' latest annual follow-ups have as many, "
            f"this one has the largest inputs ({sizes[chosen.pk] / 1024:.0f} kB of JSON)"
        )
    return chosen, described


# --- Measuring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Child:
    """What one child process reported, and the operating system's account of it."""

    result: dict[str, Any]
    to_exit: float
    peak_mib: float


def _child(env: dict[str, str], follow_up: int, audience: str, *extra: str) -> Child:
    """Run ``report_child.py`` in a new process; its report and its peak memory."""
    spawned = time.monotonic()
    process = subprocess.Popen(
        [
            PYTHON,
            str(CHILD),
            "--follow-up",
            str(follow_up),
            "--audience",
            audience,
            "--spawned-at",
            repr(spawned),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _pid, status, usage = os.wait4(process.pid, 0)
    to_exit = time.monotonic() - spawned
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"report_child.py failed ({process.returncode}):\n{output}")
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    # ru_maxrss is in KiB on Linux: the largest resident set the process ever had.
    return Child(json.loads(line[len("RESULT ") :]), to_exit, usage.ru_maxrss / 1024)


def _spread(values: list[float]) -> str:
    return f"{min(values):5.2f} {statistics.median(values):6.2f} {max(values):5.2f}"


def _cell(value: float | None, width: int) -> str:
    return f"{'–':>{width}}" if value is None else f"{value:{width}.2f}"


def _median_step(rounds: list[dict[str, Any]], clock: str, step: str) -> float | None:
    found = [r[clock][step] for r in rounds if step in r[clock]]
    return statistics.median(found) if found else None


def _measure(env: dict[str, str], follow_up: int, audience: str, args: Any) -> list[str]:
    """Cold, pool and warm runs of one variant; prints its tables, returns targets missed."""
    colds = [_child(env, follow_up, audience) for _ in range(args.cold)]
    pool = _child(env, follow_up, audience, "--forks", str(args.cold))
    warm = _child(
        env,
        follow_up,
        audience,
        "--rounds",
        str(args.warm),
        *(["--profile"] if args.profile else []),
    )
    cold_rounds = [child.result["first"] for child in colds]
    pool_rounds = pool.result["forks"]
    warm_rounds = warm.result["rounds"]
    cold_totals = [child.result["since_spawn"] for child in colds]
    pool_totals = [r["since_fork"] for r in pool_rounds]
    warm_totals = [sum(r["wall"].values()) for r in warm_rounds]
    worker_totals = [
        sum(v for k, v in r["wall"].items() if k not in REQUEST_STEPS) for r in warm_rounds
    ]
    every = cold_rounds + pool_rounds + warm_rounds
    pages = {r["pages"] for r in every}
    sizes = {r["size"] for r in every}
    cold_peak = max(child.peak_mib for child in colds)
    pool_peak = max(r["peak_kib"] for r in pool_rounds) / 1024
    before = warm.result["memory_before_render_kib"]["VmHWM"] / 1024
    after_first = warm.result["first"]["memory_kib"]["VmHWM"] / 1024
    worker_start = sum(pool.result["worker_start"]["wall"].values())

    print(
        f"\n== {audience}: {'/'.join(map(str, sorted(pages)))} pages, "
        f"{'/'.join(f'{s / 1024:.0f}' for s in sorted(sizes))} kB"
    )
    print(f"{'':<48} {'min':>5} {'median':>6} {'max':>5}   peak memory")
    print(
        f"{f'cold, {args.cold} new processes (start to stored) s':<48} "
        f"{_spread(cold_totals)}   {cold_peak:.0f} MiB"
    )
    print(f"{'cold, the same to the process exit s':<48} {_spread([c.to_exit for c in colds])}")
    print(
        f"{f'pool, {args.cold} first reports (fork to stored) s':<48} "
        f"{_spread(pool_totals)}   {pool_peak:.0f} MiB"
    )
    print(
        f"{f'warm, {args.warm} renders in one process s':<48} {_spread(warm_totals)}   "
        f"{warm.peak_mib:.0f} MiB"
    )
    print(f"{'warm, the worker part (no request) s':<48} {_spread(worker_totals)}")
    print(
        f"Pool: the worker's start took {worker_start:.2f} s before the forks; WeasyPrint was "
        f"{'' if pool.result['preloaded'] else 'not '}imported by then."
    )
    print(
        f"Warm process memory: {before:.0f} MiB before rendering, {after_first:.0f} MiB after "
        f"the first render, {warm.peak_mib:.0f} MiB at the end (peak)."
    )

    columns = (("cold", cold_rounds), ("pool", pool_rounds), ("warm", warm_rounds))
    print(
        f"\n{'step (median seconds, wall and CPU)':<44}"
        + "".join(f"{name:>7}{'cpu':>6}" for name, _rounds in columns)
    )
    for step, label in STEPS.items():
        cells = [
            _cell(_median_step(rounds, "wall", step), 7)
            + _cell(_median_step(rounds, "cpu", step), 6)
            for _name, rounds in columns
        ]
        print(f"{label:<44}" + "".join(cells))
    totals = [cold_totals, pool_totals, warm_totals]
    cpus = [[sum(r["cpu"].values()) for r in rounds] for _name, rounds in columns]
    print(
        f"{'total':<44}"
        + "".join(
            _cell(statistics.median(wall), 7) + _cell(statistics.median(cpu), 6)
            for wall, cpu in zip(totals, cpus, strict=True)
        )
    )

    missed = []
    for kind, seconds in (("cold", cold_totals), ("pool", pool_totals), ("warm", warm_totals)):
        median = statistics.median(seconds)
        if median > TARGET_SECONDS:
            missed.append(
                f"{audience}, {kind}: median {median:.2f} s > {TARGET_SECONDS:.0f} s "
                f"(by {median - TARGET_SECONDS:.2f} s)"
            )
    for kind, mib in (("cold", cold_peak), ("pool", pool_peak), ("warm", warm.peak_mib)):
        if mib > TARGET_MIB:
            missed.append(f"{audience}, {kind}: peak {mib:.0f} MiB > {TARGET_MIB:.0f} MiB")
    return missed


if __name__ == "__main__":
    main()
