"""One process that renders a follow-up's report as the worker does, timing every step.

Started by ``bench/reports.py`` (see there), once per cold run, once for the pool and
once for the warm runs; it can also be run by hand against a database that holds the
data, for example under ``/usr/bin/time -v`` as a cross-check of the whole process:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ppm_bench \\
        .venv/bin/python bench/report_child.py --follow-up 123 --audience full

It asks for the report through ``request_report`` as an SLK reviewer (who may have
every variant; earlier runs of the same report and variant are deleted first, so that
nothing is joined: use a benchmark database), which collects the inputs and queues a
run, then calls the worker's own ``render_run`` on that run. The steps inside
``render_run`` are timed by wrapping the functions it calls (the templating,
WeasyPrint's ``render`` and ``write_pdf``, the pikepdf finishing, the storage) for as
long as this process lives; nothing in the product changes. With ``--rounds N`` it
renders once untimed and then N times, all in this process (warm). With ``--forks N``
it starts as a Celery worker's main process does and forks N pool processes, each
rendering its first report. It prints one line, ``RESULT {json}``: per round the wall
and CPU seconds of each step, the pages and bytes, and the process's peak resident
memory (``VmHWM``).
"""

from __future__ import annotations

import time

# The first thing this process does: the start-up before it is the interpreter's own.
STARTED = time.monotonic()
STARTED_CPU = time.process_time()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The steps, in the order a report goes through them, and how they are printed.
STEPS = {
    "python": "Python start-up",
    "setup": "Django set-up and imports",
    "weasyprint_import": "importing WeasyPrint",
    "request": "the request: inputs (queries), hash, run",
    "html": "HTML templating",
    "layout": "WeasyPrint: layout of the report",
    "write": "WeasyPrint: PDF of the report",
    "stamp": "WeasyPrint: page-number stamp",
    "finish": "post-processing (pikepdf)",
    "store": "storing the file",
    "rest": "run bookkeeping, checks, SHA-256",
}


def main() -> None:
    """Render the report the arguments name and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--follow-up", type=int, required=True, help="the follow-up's id")
    parser.add_argument("--audience", default="full", help="full, members or general")
    parser.add_argument("--rounds", type=int, default=0, help="warm: renders after a first")
    parser.add_argument(
        "--spawned-at", type=float, help="the parent's monotonic clock just before the start"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one more render")
    parser.add_argument(
        "--forks", type=int, default=0, help="pool processes forked after a worker's start"
    )
    args = parser.parse_args()
    spawned = args.spawned_at if args.spawned_at is not None else _process_start()
    temporary = _settle_environment()
    try:
        result = _run(args, spawned)
    finally:
        if temporary:
            shutil.rmtree(temporary, ignore_errors=True)
    print("RESULT " + json.dumps(result))


def _process_start() -> float:
    """When this process was started, on the monotonic clock (to the kernel's 10 ms tick)."""
    # /proc/self/stat: the 22nd field, the 20th after the command's closing parenthesis,
    # is the start in clock ticks after boot.
    fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    after_boot = int(fields[19]) / os.sysconf("SC_CLK_TCK")
    return time.monotonic() - (time.clock_gettime(time.CLOCK_BOOTTIME) - after_boot)


def _settle_environment() -> str | None:
    """The environment a worker runs with: no debug; files in a folder of this run.

    Returns a temporary folder made here (to be removed), or None when VAR_DIR was given.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")
    # Debug off needs a real key (config.settings): one for this run.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if "VAR_DIR" in os.environ:
        return None
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="ppm-report-bench-")
    return os.environ["VAR_DIR"]


class Clock:
    """Wall and CPU seconds per step of the round being measured."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        wall, cpu = time.monotonic(), time.process_time()
        try:
            yield
        finally:
            self.add(name, time.monotonic() - wall, time.process_time() - cpu)

    def add(self, name: str, wall: float, cpu: float) -> None:
        self.wall[name] = self.wall.get(name, 0.0) + wall
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu


def _wrap(owner: Any, name: str, timed: Callable[[str], str], clock: list[Clock]) -> None:
    """Replace ``owner.name`` by a wrapper that adds its time to the current round's clock.

    ``timed(step)`` names the step each call counts under (WeasyPrint's report and stamp
    are told apart by the order of the calls).
    """
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with clock[0].step(timed(name)):
            return original(*args, **kwargs)

    setattr(owner, name, wrapper)


def _instrument(clock: list[Clock]) -> Callable[[], None]:
    """Time the steps inside ``render_run``; returns what starts a new render's count."""
    import weasyprint
    from weasyprint.document import Document

    from reporting import pdf_finish, rendering, storage

    calls = {"render": 0, "write_pdf": 0}

    def weasyprint_step(name: str) -> str:
        calls[name] += 1
        if calls[name] > 1:
            return "stamp"
        return "layout" if name == "render" else "write"

    _wrap(rendering, "report_html", lambda _name: "html", clock)
    _wrap(rendering, "pdf_meta", lambda _name: "html", clock)
    _wrap(weasyprint.HTML, "render", weasyprint_step, clock)
    _wrap(Document, "write_pdf", weasyprint_step, clock)
    _wrap(pdf_finish, "finish", lambda _name: "finish", clock)
    _wrap(storage, "store", lambda _name: "store", clock)

    def new_render() -> None:
        calls.update(render=0, write_pdf=0)

    return new_render


def _peak_memory_kib() -> dict[str, int]:
    """The process's resident memory now and at its highest, in KiB (``/proc/self/status``)."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def _reviewer() -> Any:
    """An SLK reviewer (who may ask for every variant), made once in the bench database."""
    from django.contrib.auth.models import User

    from programme.models import GlobalRole, GlobalRoleKind

    user, _ = User.objects.get_or_create(username="bench-slk", defaults={"first_name": "Bench"})
    GlobalRole.objects.get_or_create(user=user, role=GlobalRoleKind.SLK_REVIEWER)
    return user


def _run(args: argparse.Namespace, spawned: float) -> dict[str, Any]:
    setup = Clock()
    setup.add("python", STARTED - spawned, STARTED_CPU)
    with setup.step("setup"):
        import django

        django.setup()
        # What a worker imports: its task modules (and through them the services).
        import reporting.tasks  # noqa: F401
    if args.forks:
        return _pool(args, setup)
    with setup.step("weasyprint_import"):
        # The first render would import it; timed apart so that the layout shows alone.
        import weasyprint  # noqa: F401

    render_once = _renderer(args)
    before_render = _peak_memory_kib()
    first = render_once()
    first["wall"] = setup.wall | first["wall"]
    first["cpu"] = setup.cpu | first["cpu"]
    result: dict[str, Any] = {
        "first": first,
        "since_spawn": first["stored_at"] - spawned,
        "memory_before_render_kib": before_render,
        "rounds": [render_once() for _ in range(args.rounds)],
    }
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(render_once)
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(20)
    result["memory_kib"] = _peak_memory_kib()
    return result


def _renderer(args: argparse.Namespace) -> Callable[[], dict[str, Any]]:
    """What renders the report once, as the site asks for it and the worker renders it.

    Times the steps inside ``render_run`` from here on (see ``_instrument``).
    """
    from django.conf import settings
    from django.utils import translation

    from programme.models import Audience, FollowUp
    from reporting.models import ReportRun
    from reporting.services.reports import render_run, request_report

    follow_up = FollowUp.objects.select_related("plan__body").get(pk=args.follow_up)
    audience = Audience(args.audience)
    user = _reviewer()
    clock = [Clock()]
    new_render = _instrument(clock)

    def render_once() -> dict[str, Any]:
        # A run of the same inputs would be joined, not rendered: the bench's own go first.
        ReportRun.objects.filter(follow_up=follow_up, audience=audience).delete()
        round_ = clock[0] = Clock()
        new_render()
        queued: list[int] = []
        with round_.step("request"), translation.override(settings.LANGUAGE_CODE):
            request_report(user, follow_up, audience, enqueue=queued.append)
        if len(queued) != 1:
            raise SystemExit("request_report queued no new run")
        wall, cpu = time.monotonic(), time.process_time()
        done = render_run(queued[0])
        stored = time.monotonic()
        if done is None or not done.file_name:
            raise SystemExit(f"run {queued[0]} was not rendered: {done and done.error}")
        inner = [step for step in round_.wall if step != "request"]
        round_.add(
            "rest",
            stored - wall - sum(round_.wall[step] for step in inner),
            time.process_time() - cpu - sum(round_.cpu[step] for step in inner),
        )
        return {
            "wall": round_.wall,
            "cpu": round_.cpu,
            "pages": done.pages,
            "size": done.size,
            "memory_kib": _peak_memory_kib(),
            "stored_at": stored,
        }

    return render_once


class BenchWorker:
    """Stands for the worker in the signal of its start (Celery's Django fixup wants one)."""

    hostname = "bench"
    pool_cls = "prefork"


def _pool(args: argparse.Namespace, setup: Clock) -> dict[str, Any]:
    """A worker's start, then ``--forks`` pool processes forked from it, one report each.

    This process does what a Celery worker's main process does before it forks its
    prefork pool: Django set up, the task modules imported, the ``worker_init`` signal
    sent (whatever the product preloads there). Each pool process gets
    ``worker_process_init``, as Celery sends it, and renders its first report; it is
    timed from the fork to the run done, and its peak memory is the operating system's
    account of it.
    """
    from celery.signals import worker_init, worker_process_init
    from django.db import connections

    with setup.step("worker_init"):
        worker_init.send(sender=BenchWorker())
    preloaded = "weasyprint" in sys.modules
    # A pool process opens its own database connection, as Celery's pool processes do.
    connections.close_all()
    forks = []
    for _ in range(args.forks):
        reading, writing = os.pipe()
        forked = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.close(reading)
            status = 0
            try:
                worker_process_init.send(sender=None)
                clock = Clock()
                if "weasyprint" not in sys.modules:
                    with clock.step("weasyprint_import"):
                        import weasyprint  # noqa: F401
                render_once = _renderer(args)
                started = time.monotonic()
                done = render_once()
                done["wall"] = clock.wall | done["wall"]
                done["cpu"] = clock.cpu | done["cpu"]
                # What the steps leave out: opening the connection, finding the follow-up.
                # (A forked process's CPU clock starts at the fork.)
                done["wall"]["rest"] += started - forked - sum(clock.wall.values())
                done["cpu"]["rest"] += time.process_time() - sum(done["cpu"].values())
                done["since_fork"] = done["stored_at"] - forked
                os.write(writing, json.dumps(done).encode())
            except BaseException:
                import traceback

                traceback.print_exc()
                status = 1
            finally:
                os._exit(status)
        os.close(writing)
        with os.fdopen(reading, "rb") as pipe:
            report = pipe.read()
        _pid, status, usage = os.wait4(pid, 0)
        if status != 0 or not report:
            raise SystemExit(f"a pool process failed ({status})")
        forks.append(json.loads(report) | {"peak_kib": usage.ru_maxrss})
    return {
        "worker_start": {"wall": setup.wall, "cpu": setup.cpu},
        "preloaded": preloaded,
        "forks": forks,
        "memory_kib": _peak_memory_kib(),
    }


if __name__ == "__main__":
    main()
