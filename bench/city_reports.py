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
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pages import _environment, _make_database  # noqa: E402

PYTHON = sys.executable
SETTINGS = "bench.city_settings"
TARGET_COLD = 30.0
TARGET_CHANGED = 10.0
TARGET_ALL = 90.0
TARGET_MIB = 300.0
READY_TIMEOUT = 90.0
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
        _naive_child(args)
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
    redis_client = _empty_redis(broker)
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


def _empty_redis(url: str) -> Any:
    """A client of the benchmark's Redis database, which must hold nothing yet."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    if client.dbsize():
        raise SystemExit(f"Redis database {url} is not empty; choose another with --redis-db.")
    return client


# --- The workers ---------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (a worker's pool processes), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _memory_kib(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` of a process, in KiB (empty when it is gone)."""
    found: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return found
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


@dataclass
class Workers:
    """One Celery worker (``--concurrency`` pool processes) on the benchmark's queue."""

    concurrency: int
    process: subprocess.Popen[bytes]
    log: Path
    memory_dir: Path
    start_seconds: float = 0.0
    seen_pools: set[int] = field(default_factory=set)
    # Pool processes that exited since the last reset, and their peaks (KiB).
    exited: dict[int, int] = field(default_factory=dict)

    @classmethod
    def start(cls, env: dict[str, str], directory: Path, queue: str, concurrency: int) -> Workers:
        """Start the worker and wait until it is ready; its start is timed."""
        name = f"city-{concurrency}-{uuid.uuid4().hex[:6]}"
        log = directory / f"{name}.log"
        began = time.monotonic()
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--queues",
                    queue,
                    "--hostname",
                    f"{name}@bench",
                    "--concurrency",
                    str(concurrency),
                    "--loglevel",
                    "INFO",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        workers = cls(concurrency, process, log, Path(env["BENCH_CITY_MEMORY_DIR"]))
        deadline = began + READY_TIMEOUT
        while " ready." not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                workers.stop()
                raise SystemExit(f"The worker did not start:\n{log.read_text()[-4000:]}")
            time.sleep(0.05)
        workers.start_seconds = time.monotonic() - began
        workers.seen_pools.update(workers.pool_pids())
        return workers

    def pool_pids(self) -> list[int]:
        return _children(self.process.pid)

    def check(self) -> None:
        """Fail with the worker's log if it died."""
        if self.process.poll() is not None:
            raise SystemExit(f"The worker stopped:\n{self.log.read_text()[-4000:]}")

    def reset_peaks(self) -> None:
        """Start each pool process's peak memory afresh (``clear_refs``: 5)."""
        self.collect_exited()
        for pid in self.pool_pids():
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        self.exited.clear()

    def collect_exited(self) -> None:
        """Peaks that pool processes which exited wrote (``city_settings``)."""
        for path in self.memory_dir.glob("*.json"):
            record = json.loads(path.read_text())
            if record.get("ppid") == self.process.pid:
                self.exited[record["pid"]] = record.get("VmHWM", 0)
                path.unlink()

    def peaks(self) -> dict[int, int]:
        """Each pool process's peak resident memory in KiB, live or exited since the reset."""
        self.collect_exited()
        found = dict(self.exited)
        for pid in self.pool_pids():
            self.seen_pools.add(pid)
            found[pid] = max(found.get(pid, 0), _memory_kib(pid).get("VmHWM", 0))
        return found

    def stop(self) -> None:
        """A warm shutdown of the worker (its pool processes exit), by force after 20 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        for pid in self.seen_pools:
            # A pool process left behind (its session is the worker's): end it by its id.
            if _memory_kib(pid) and Path(f"/proc/{pid}").exists():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


# --- The scenarios -------------------------------------------------------------------------


@dataclass
class Round:
    """One measured run: seconds, what it made, and peak memory per pool process (MiB)."""

    seconds: float
    pages: int = 0
    size: int = 0
    peaks_mib: list[float] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


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
        return self.report(audience, rounds, starts)

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

    # --- Printing --------------------------------------------------------------------------

    def report(
        self, audience: str, rounds: dict[str, list[Round]], starts: dict[int, list[float]]
    ) -> list[str]:
        """Print the variant's tables; return the targets missed."""
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
            ("all", f"all {self.approved} bodies' annual reports, 2 processes s"),
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
        verdict = (
            "met" if worker_peak <= TARGET_MIB else f"missed by {worker_peak - TARGET_MIB:.0f}"
        )
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


def _reviewer() -> Any:
    """An SLK reviewer (who may ask for the city-wide report and every variant)."""
    from django.contrib.auth.models import User

    from programme.models import GlobalRole, GlobalRoleKind

    user, _ = User.objects.get_or_create(username="bench-slk", defaults={"first_name": "Bench"})
    GlobalRole.objects.get_or_create(user=user, role=GlobalRoleKind.SLK_REVIEWER)
    return user


# --- The naive rendering, in its own process ----------------------------------------------


def _naive_child(args: argparse.Namespace) -> None:
    """Render the city-wide report as one WeasyPrint document; print ``RESULT {json}``."""
    steps: dict[str, float] = {}
    mark = time.monotonic()

    def step(name: str) -> None:
        nonlocal mark
        now = time.monotonic()
        steps[name] = now - mark
        mark = now

    import django

    django.setup()
    from django.conf import settings
    from django.utils import translation

    from programme.models import Audience
    from reporting import city_rendering, pdf
    from reporting.queries.city_inputs import city_report_inputs

    step("Django set-up")
    audience = Audience(args.audience)
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        inputs = city_report_inputs(args.year, "annual", audience)
        step("inputs")
        html = _naive_html(inputs, language, _contents(args.year, audience, inputs))
        meta = city_rendering.city_pdf_meta(inputs, language, audience)
        step("HTML")
        rendered = pdf.render_pdf(html, meta)
        step("render_pdf (WeasyPrint, stamp, pikepdf)")
    rendered_at = time.monotonic()
    result = {
        "rendered_at": rendered_at,
        "pages": rendered.pages,
        "size": len(rendered.data),
        "steps": steps,
    }
    print("RESULT " + json.dumps(result))


def _contents(year: int, audience: Any, inputs: dict[str, Any]) -> list[dict[str, Any]]:
    """The overview's contents: each body's first page in the last file the workers made."""
    from reporting.models import ReportRun, RunPart

    run = (
        ReportRun.objects.filter(scope="city", year=year, audience=audience, state="done")
        .order_by("-finished_at")
        .first()
    )
    pages = {}
    if run is not None:
        rows = RunPart.objects.filter(run=run).select_related("part").order_by("position")
        page = (run.pages or 0) - sum(row.part.pages or 0 for row in rows) + 1
        for row in rows:
            pages[row.part.key] = page
            page += row.part.pages or 0
    return [
        {
            "key": body["key"],
            "title": body.get("name") or body["key"],
            "page": pages.get(body["key"], ""),
        }
        for body in inputs["bodies"]
    ]


def _naive_html(inputs: dict[str, Any], language: str, contents: list[dict[str, Any]]) -> str:
    """The overview's document with every body's part appended, links made internal."""
    from reporting import city_rendering, pdf

    overview = city_rendering.overview_html(inputs, language, contents)
    sections = []
    for body in inputs["bodies"]:
        document = city_rendering.body_html(inputs, body, language)
        inner = re.search(r"<body[^>]*>(.*)</body>", document, re.DOTALL)
        assert inner is not None
        sections.append(
            f'<section class="city-body" id="del-{body["key"]}" style="break-before: page">'
            f"{inner.group(1)}</section>"
        )
    html = overview.replace("</body>", "".join(sections) + "</body>")
    return html.replace(pdf.PART_LINK_PREFIX, "#del-")


if __name__ == "__main__":
    main()
