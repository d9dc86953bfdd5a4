"""Benchmark: the city-wide report rendered in parts by real Celery workers, and the naive way.

    .venv/bin/python bench/city_reports.py [--database ppm_reports_bench] [--year 2023]
                                           [--audiences full] [--cold 3] [--cold-one 1]
                                           [--changed 2] [--all-bodies 1] [--naive 1]
    .venv/bin/python bench/reports.py --city [the same options]

On the database ``--database`` (kept; made and filled at city scale as
``bench/reports.py`` does only when it does not exist, and migrated), with Redis at
127.0.0.1:6379 as the broker (database ``--redis-db``, which must be empty; it is
emptied again at the end) and a queue of this run's own, it measures:

1. **Cold:** the city's annual report asked for through ``request_city_report`` as an
   SLK reviewer, after every city-wide run, every part and every stored file is
   deleted, on a Celery worker started afresh (``celery -A config worker`` with
   ``--concurrency 1``, ``--cold-one`` times, then ``--concurrency 2``, ``--cold``
   times), timed from the request to the run done (the worker's own start, until it
   is ready, is timed apart). The workers plan the run, render the body parts (two
   pool processes: two at once), render the overview and join the parts.
2. **After one body changed:** with the two-process worker of the last cold run still
   running and every part stored, one indicator outcome of one body's approved
   annual follow-up is changed (a queryset update, so that the goal is reached or no
   longer reached: the body's part and the overview change) and the report is asked
   for again; timed to the new file, and the parts rendered counted. A different body
   each time (``--changed``); the values are put back at the end.
3. **All bodies' annual reports:** ``request_report`` for every annual follow-up of
   the year (the full variant), each run sent to the same workers as a
   ``render_report`` task, timed from the first request until every run is done.
4. **Naive:** in one new process, the same content as one WeasyPrint document: the
   overview's HTML with each body's HTML appended (links between parts made links
   inside the document) rendered by ``pdf.render_pdf`` once; timed from the start of
   the process to the PDF in memory.

Peak memory: each pool process's ``VmHWM`` (``/proc/<pid>/status``) read just before
the worker is stopped, reset between the scenarios of one worker (``clear_refs``); pool
processes that exited earlier wrote theirs on ``worker_process_shutdown``
(``bench/city_settings.py``). The naive process's is the operating system's account
of the finished process (``ru_maxrss``). The workers run with ``DEBUG`` off and the
site's settings (``bench/city_settings.py`` adds only the queue and the memory record).
Targets (issue 12, 2 cores, two worker processes): cold ≤ 30 s, after one body changed
≤ 10 s, all bodies' annual reports ≤ 90 s, ≤ 300 MiB per worker process.

This module is the command and runs the scenarios; ``bench/city_workers.py`` starts,
watches and stops the workers and reads their memory, ``bench/city_naive.py`` is the
naive rendering (run in the new process as this script with ``--naive-child``) and
``bench/city_tables.py`` holds the targets and prints the tables.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from city_naive import naive_child  # noqa: E402
from city_tables import (  # noqa: E402
    TARGET_ALL,
    TARGET_CHANGED,
    TARGET_COLD,
    TARGET_MIB,
    Round,
    print_tables,
)
from city_workers import PYTHON, Workers, empty_redis  # noqa: E402
from pages import _environment, _make_database  # noqa: E402

SETTINGS = "bench.city_settings"
RUN_TIMEOUT = 1200.0
POLL_SECONDS = 0.1
FINISHED = ("done", "failed")


def main() -> None:
    """Measure every scenario of every variant and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432",
        help="the PostgreSQL server, without a database name",
    )
    parser.add_argument("--database", default="ppm_reports_bench", help="the database (kept)")
    parser.add_argument("--years", type=int, default=5, help="city scale, if it must be made")
    parser.add_argument("--year", type=int, help="default: most approved annual follow-ups")
    parser.add_argument("--audiences", default="full", help="full and/or general")
    parser.add_argument("--cold", type=int, default=3, help="cold runs with two processes")
    parser.add_argument("--cold-one", type=int, default=1, help="cold runs with one process")
    parser.add_argument("--changed", type=int, default=2, help="runs after one body changed")
    parser.add_argument("--all-bodies", type=int, default=1, help="all bodies' reports, times")
    parser.add_argument("--naive", type=int, default=1, help="naive renders, a process each")
    parser.add_argument("--redis-db", type=int, default=13, help="an empty Redis database")
    parser.add_argument("--naive-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--audience", default="full", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_child:
        naive_child(args)
        return

    args.reuse = True
    var_dir = tempfile.mkdtemp(prefix="ppm-city-bench-")
    queue = f"city-bench-{uuid.uuid4().hex[:8]}"
    broker = f"redis://127.0.0.1:6379/{args.redis_db}"
    env = _environment(args, var_dir) | {
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "CELERY_BROKER_URL": broker,
        "BENCH_CITY_QUEUE": queue,
        "BENCH_CITY_MEMORY_DIR": str(Path(var_dir, "memory")),
        "PRIVATE_MEDIA_ROOT": str(Path(var_dir, "private")),
        "REPORT_STORAGE": "local",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("REPORT_TIME_LIMIT", "CELERY_VISIBILITY_TIMEOUT", "CELERY_RESULT_BACKEND"):
        env.pop(name, None)
    Path(env["BENCH_CITY_MEMORY_DIR"]).mkdir()
    _make_database(args, env)
    redis_client = empty_redis(broker)
    os.environ.update(env)
    import django

    django.setup()
    bench = Bench(args, env, Path(var_dir), queue)
    print(
        f"City-wide report {bench.year}, annual, of {bench.bodies} bodies "
        f"({bench.approved} approved annual follow-ups); commit {_commit()}.\n"
        f"Machine: {os.cpu_count()} cores, load average {_load()} at the start."
    )
    missed: list[str] = []
    try:
        for audience in args.audiences.split(","):
            missed += bench.measure(audience.strip())
    finally:
        bench.tidy()
        redis_client.flushdb()
        shutil.rmtree(var_dir, ignore_errors=True)
    print(f"\nLoad average {_load()} at the end.")
    print(
        f"\nTargets (two worker processes): cold ≤ {TARGET_COLD:.0f} s, after one body "
        f"changed ≤ {TARGET_CHANGED:.0f} s, all bodies' annual reports ≤ {TARGET_ALL:.0f} s, "
        f"≤ {TARGET_MIB:.0f} MiB per worker process: ",
        end="",
    )
    print("all met." if not missed else "missed:\n  " + "\n  ".join(missed))


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


# --- The scenarios -------------------------------------------------------------------------


class Bench:
    """The benchmark's state: the database, the user, the workers, the values changed."""

    def __init__(self, args: argparse.Namespace, env: dict[str, str], var_dir: Path, queue: str):
        from django.db.models import Count

        from programme.models import FollowUp, FollowUpPeriod, FollowUpState

        self.args = args
        self.env = env
        self.var_dir = var_dir
        self.queue = queue
        approved = (
            FollowUp.objects.filter(period=FollowUpPeriod.ANNUAL, state=FollowUpState.APPROVED)
            .values_list("plan__year")
            .annotate(n=Count("pk"))
        )
        by_year = dict(approved)
        if not by_year:
            raise SystemExit("No approved annual follow-up; regenerate the data.")
        self.year = args.year or max(by_year, key=lambda year: (by_year[year], year))
        self.approved = by_year.get(self.year, 0)
        self.user = _reviewer()
        self.workers: Workers | None = None
        self.changed: list[tuple[int, Decimal | None]] = []
        from django.conf import settings
        from django.utils import translation

        from programme.models import Audience
        from reporting.queries.city_inputs import city_report_inputs

        with translation.override(settings.LANGUAGE_CODE):
            self.bodies = len(city_report_inputs(self.year, "annual", Audience.FULL)["bodies"])

    # The queue: what the site and the workers send goes to this run's own queue.

    def dispatch(self) -> Any:
        from reporting import tasks
        from reporting.services.city import Dispatch

        queue = self.queue
        return Dispatch(
            part=lambda pk: tasks.render_report_part.apply_async((pk,), queue=queue),
            assemble=lambda pk: tasks.assemble_city_report.apply_async((pk,), queue=queue),
            plan=lambda pk: tasks.plan_city_report.apply_async((pk,), queue=queue),
        )

    def enqueue(self, run_id: int) -> None:
        from reporting.tasks import render_report

        render_report.apply_async((run_id,), queue=self.queue)

    def start_workers(self, concurrency: int) -> Workers:
        self.stop_workers()
        self.workers = Workers.start(self.env, self.var_dir, self.queue, concurrency)
        return self.workers

    def stop_workers(self) -> None:
        if self.workers is not None:
            self.workers.stop()
            self.workers = None

    def tidy(self) -> None:
        """Stop the workers and put back every value changed."""
        self.stop_workers()
        from programme.models import IndicatorOutcome

        for pk, value in reversed(self.changed):
            IndicatorOutcome.objects.filter(pk=pk).update(value=value)
        self.changed.clear()

    # --- Measuring -------------------------------------------------------------------------

    def measure(self, audience: str) -> list[str]:
        """Every scenario of one variant; prints its tables, returns the targets missed."""
        args = self.args
        rounds: dict[str, list[Round]] = {}
        starts: dict[int, list[float]] = {1: [], 2: []}
        for concurrency, times in ((1, args.cold_one), (2, args.cold)):
            found = rounds.setdefault(f"cold{concurrency}", [])
            for _ in range(times):
                self.clear_city()
                workers = self.start_workers(concurrency)
                starts[concurrency].append(workers.start_seconds)
                found.append(self.city_round(audience))
                print(f"  cold, {concurrency} process(es): {found[-1].seconds:.2f} s", flush=True)
                if concurrency == 1:
                    self.stop_workers()
        if self.workers is None or self.workers.concurrency != 2:
            self.clear_city()
            self.start_workers(2)
            self.city_round(audience)
        rounds["changed"] = []
        for index in range(args.changed):
            self.change_one_body(index)
            rounds["changed"].append(self.city_round(audience))
            print(f"  after one body changed: {rounds['changed'][-1].seconds:.2f} s", flush=True)
        rounds["all"] = []
        # The bodies' own reports in the full variant (SLK's), once for all variants.
        for _ in range(args.all_bodies if audience == "full" else 0):
            rounds["all"].append(self.all_bodies())
            print(f"  all bodies' reports: {rounds['all'][-1].seconds:.2f} s", flush=True)
        self.stop_workers()
        rounds["naive"] = [self.naive(audience) for _ in range(args.naive)]
        return print_tables(audience, self.approved, rounds, starts)

    def clear_city(self) -> None:
        """Nothing cached: every city-wide run, part and stored file goes."""
        from reporting.models import ReportPart, ReportRun, ReportScope

        self.stop_workers()
        ReportRun.objects.filter(scope=ReportScope.CITY).delete()
        ReportPart.objects.all().delete()
        shutil.rmtree(self.var_dir / "private" / "reports", ignore_errors=True)

    def wait(self, run_ids: list[int]) -> float:
        """Wait until every run is done; the monotonic clock then. Fails on a failed run."""
        from reporting.models import ReportRun

        deadline = time.monotonic() + RUN_TIMEOUT
        while True:
            states = dict(ReportRun.objects.filter(pk__in=run_ids).values_list("pk", "state"))
            if all(state in FINISHED for state in states.values()):
                finished = time.monotonic()
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"Runs not done within {RUN_TIMEOUT:.0f} s: {states}")
            assert self.workers is not None
            self.workers.check()
            time.sleep(POLL_SECONDS)
        failed = ReportRun.objects.filter(pk__in=run_ids, state="failed")
        if failed.exists():
            raise SystemExit(f"A run failed: {failed.values_list('pk', 'error').first()}")
        return finished

    def city_round(self, audience: str) -> Round:
        """Ask for the city-wide report once and wait for its file; what it rendered."""
        from django.conf import settings
        from django.db.models import Max, Min, Sum
        from django.utils import translation

        from programme.models import Audience
        from reporting.models import ReportPart, ReportRun
        from reporting.services.city import request_city_report

        assert self.workers is not None
        self.workers.reset_peaks()
        before = ReportPart.objects.aggregate(last=Max("pk"))["last"] or 0
        began = time.monotonic()
        with translation.override(settings.LANGUAGE_CODE):
            request = request_city_report(
                self.user, self.year, "annual", Audience(audience), self.dispatch()
            )
        asked = time.monotonic() - began
        if request.joined:
            raise SystemExit("request_city_report joined a run: nothing to render")
        finished = self.wait([request.run_id])
        seconds = finished - began
        run = ReportRun.objects.get(pk=request.run_id)
        made = ReportPart.objects.filter(pk__gt=before)
        bodies = made.filter(kind="body")
        overviews = made.filter(kind="overview")
        span = bodies.aggregate(first=Min("started_at"), last=Max("finished_at"))
        last_part = span["last"]
        detail = {
            "request": asked,
            "body_parts": bodies.count(),
            "overviews": overviews.count(),
            "body_seconds": bodies.aggregate(s=Sum("render_seconds"))["s"] or 0.0,
            "overview_seconds": overviews.aggregate(s=Sum("render_seconds"))["s"] or 0.0,
            # From the first body part started to the last one stored.
            "parts_span": (last_part - span["first"]).total_seconds()
            if last_part and span["first"]
            else None,
            "overview_pages": overviews.order_by("-pk").values_list("pages", flat=True).first(),
            # From the last body part stored to the file: the overview and the joining.
            "joining": (run.finished_at - last_part).total_seconds()
            if last_part and run.finished_at
            else None,
            "planned": (run.started_at - request.requested_at).total_seconds()
            if run.started_at
            else None,
        }
        peaks = self.workers.peaks()
        return Round(
            seconds=seconds,
            pages=run.pages or 0,
            size=run.size or 0,
            peaks_mib=[kib / 1024 for kib in peaks.values()],
            detail=detail,
        )

    def change_one_body(self, index: int) -> None:
        """Change one indicator outcome of one body so that its goal is or is no longer met."""
        from programme.models import (
            FollowUpPeriod,
            FollowUpState,
            IndicatorDirection,
            IndicatorOutcome,
        )

        candidates = (
            IndicatorOutcome.objects.filter(
                follow_up__plan__year=self.year,
                follow_up__period=FollowUpPeriod.ANNUAL,
                follow_up__state=FollowUpState.APPROVED,
                value__isnull=False,
                target__isnull=False,
            )
            .exclude(pk__in=[pk for pk, _value in self.changed])
            .order_by("follow_up__plan__body__name", "position", "pk")
        )
        seen: set[int] = set()
        chosen = None
        for outcome in candidates.select_related("follow_up__plan__body"):
            if outcome.follow_up_id in seen:
                continue
            seen.add(outcome.follow_up_id)
            if len(seen) > index:
                chosen = outcome
                break
        if chosen is None:
            raise SystemExit("No indicator outcome to change")
        assert chosen.value is not None and chosen.target is not None
        lower = chosen.direction == IndicatorDirection.LOWER_IS_BETTER
        reached = chosen.value <= chosen.target if lower else chosen.value >= chosen.target
        # Reached: one unit to the wrong side; not reached: the target itself.
        new = (chosen.target + 1 if lower else chosen.target - 1) if reached else chosen.target
        self.changed.append((chosen.pk, chosen.value))
        IndicatorOutcome.objects.filter(pk=chosen.pk).update(value=new)
        print(
            f"  changed: {chosen.follow_up.plan.body.name}, {chosen.name}: "
            f"{chosen.value} -> {new} (target {chosen.target}, {chosen.direction})",
            flush=True,
        )

    def all_bodies(self) -> Round:
        """Every annual follow-up's report of the year (full), sent to the workers."""
        from django.conf import settings
        from django.db.models import Sum
        from django.utils import translation

        from programme.models import Audience, FollowUp, FollowUpPeriod
        from reporting.models import ReportRun
        from reporting.services.reports import request_report

        assert self.workers is not None
        follow_ups = list(
            FollowUp.objects.filter(plan__year=self.year, period=FollowUpPeriod.ANNUAL)
            .select_related("plan__body")
            .order_by("pk")
        )
        ReportRun.objects.filter(follow_up__in=follow_ups, audience=Audience.FULL).delete()
        self.workers.reset_peaks()
        began = time.monotonic()
        run_ids = []
        with translation.override(settings.LANGUAGE_CODE):
            for follow_up in follow_ups:
                request = request_report(self.user, follow_up, Audience.FULL, self.enqueue)
                run_ids.append(request.run_id)
        asked = time.monotonic() - began
        finished = self.wait(run_ids)
        runs = ReportRun.objects.filter(pk__in=run_ids)
        totals = runs.aggregate(pages=Sum("pages"), size=Sum("size"), work=Sum("render_seconds"))
        return Round(
            seconds=finished - began,
            pages=totals["pages"] or 0,
            size=totals["size"] or 0,
            peaks_mib=[kib / 1024 for kib in self.workers.peaks().values()],
            detail={"request": asked, "reports": len(run_ids), "work": totals["work"]},
        )

    def naive(self, audience: str) -> Round:
        """The same content as one WeasyPrint document in one new process."""
        spawned = time.monotonic()
        process = subprocess.Popen(
            [
                PYTHON,
                str(Path(__file__)),
                "--naive-child",
                "--audience",
                audience,
                "--year",
                str(self.year),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
        )
        assert process.stdout is not None
        output = process.stdout.read().decode()
        _pid, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"The naive rendering failed:\n{output}")
        line = next(x for x in output.splitlines() if x.startswith("RESULT "))
        result = json.loads(line[len("RESULT ") :])
        print(f"  naive: {result['rendered_at'] - spawned:.2f} s", flush=True)
        return Round(
            seconds=result["rendered_at"] - spawned,
            pages=result["pages"],
            size=result["size"],
            peaks_mib=[usage.ru_maxrss / 1024],
            detail=result["steps"],
        )


def _reviewer() -> Any:
    """An SLK reviewer (who may ask for the city-wide report and every variant)."""
    from django.contrib.auth.models import User

    from programme.models import GlobalRole, GlobalRoleKind

    user, _ = User.objects.get_or_create(username="bench-slk", defaults={"first_name": "Bench"})
    GlobalRole.objects.get_or_create(user=user, role=GlobalRoleKind.SLK_REVIEWER)
    return user


if __name__ == "__main__":
    main()
