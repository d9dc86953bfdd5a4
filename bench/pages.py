"""Benchmark: the plan and follow-up pages under load, on PostgreSQL, gunicorn and wrk.

    .venv/bin/python bench/pages.py [--database ppm_bench] [--duration 10]
                                    [--gunicorn 2x4,3x2,4x1] [--reuse]

Creates the PostgreSQL database ``--database`` (dropped first if it exists) beside the
server ``--postgres`` names, migrates it, loads the real programme data and generates
city-scale plans (``generate_plan_data --city-scale``: every active body, 5 years, about
60 activities and 10 indicators per body and year, with their follow-ups). It then
signs in an SLK reviewer and a body administrator, counts each page's queries through
Django's test client, starts gunicorn on 127.0.0.1 for each workers×threads setting of
``--gunicorn``, picks the one with the most requests a second on SLK's overview, and
runs ``wrk -t2 -c10 -d10s`` against SLK's follow-up overview, a plan page and the
follow-up form with it. It prints requests a second, p50, p95 and p99 in milliseconds
and queries per page, and times the city-scale Excel export of every activity of the
year end to end, over HTTP.

``--reuse`` keeps a database that already holds the city-scale data. ``--client`` runs
the earlier in-process benchmark of the programme and duty pages instead (see
``client_bench``), with its options ``--requests``, ``--extra-bodies``, ``--duty-years``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
PYTHON = sys.executable
PORT = 8765
TARGET_QUERIES = 15
TARGET_P95_MS = 200.0
TARGET_EXPORT_S = 3.0

# wrk reports p50/p75/p90/p99 itself; the script asks for p95 too, in one parsable line.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("BENCH %d %d %d %d %.0f %.0f %.0f\\n", summary.requests,
    summary.duration, summary.errors.status, errors, latency:percentile(50),
    latency:percentile(95), latency:percentile(99)))
end
"""


def main() -> None:
    """Run the benchmark asked for and print its figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432",
        help="the PostgreSQL server, without a database name",
    )
    parser.add_argument("--database", default="ppm_bench", help="the database to create")
    parser.add_argument("--reuse", action="store_true", help="keep a database already made")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=10, help="wrk's connections")
    parser.add_argument(
        "--gunicorn",
        default="2x1,3x1,4x1,2x4",
        help="workers×threads settings to try on SLK's overview (the best is used)",
    )
    parser.add_argument("--years", type=int, default=5, help="city scale: years of data")
    parser.add_argument("--client", action="store_true", help="the earlier in-process bench")
    parser.add_argument("--requests", type=int, default=200, help="--client: requests/page")
    parser.add_argument("--extra-bodies", type=int, default=1000, help="--client: bodies")
    parser.add_argument("--duty-years", type=int, default=160, help="--client: duty years")
    args = parser.parse_args()
    if args.client:
        from client_pages import client_bench

        client_bench(args.requests, args.extra_bodies, args.duty_years)
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    server_bench(args)


# --- The server benchmark: PostgreSQL, gunicorn, wrk ---------------------------------------


@dataclass(frozen=True)
class Page:
    """One page to load: what it is, who reads it, and its address."""

    label: str
    persona: str
    url: str


@dataclass(frozen=True)
class Load:
    """What wrk measured on one page."""

    requests_per_second: float
    p50: float
    p95: float
    p99: float
    bad_status: int
    errors: int


def _environment(args: argparse.Namespace, var_dir: str) -> dict[str, str]:
    """The environment the site runs with: the bench database, no debug, kept connections."""
    return os.environ | {
        "DATABASE_URL": f"{args.postgres.rstrip('/')}/{args.database}",
        "DEBUG": "false",
        # Debug off needs a real key (config.settings): one for this run, shared by every
        # process of it so that the sign-in cookies hold.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        # A worker keeps its connection: what a production deployment does.
        "DATABASE_CONN_MAX_AGE": "60",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
    }


def _manage(env: dict[str, str], *command: str) -> str:
    """Run a management command against the bench database; return what it printed."""
    done = subprocess.run(
        [PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return done.stdout.decode().strip()


def _make_database(
    args: argparse.Namespace,
    env: dict[str, str],
    fill: Callable[[argparse.Namespace, dict[str, str]], None] | None = None,
) -> None:
    """Create the database afresh (or keep it with --reuse), migrated with the programme
    data loaded, then filled by ``fill`` (by default at city scale)."""
    import psycopg

    with psycopg.connect(f"{args.postgres.rstrip('/')}/postgres", autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.database]
        ).fetchone()
        if exists and args.reuse:
            print(f"Reusing the database {args.database}.")
            _manage(env, "migrate", "--noinput", "-v0")
            return
        if exists:
            admin.execute(f'DROP DATABASE "{args.database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{args.database}"')
    print(f"Created the database {args.database}; migrating and loading the data.")
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "load_programme_data")
    (fill or _fill_city_scale)(args, env)


def _fill_city_scale(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Plans and follow-ups of every active body for ``--years`` years."""
    started = time.perf_counter()
    print(" ", _manage(env, "generate_plan_data", "--city-scale", "--years", str(args.years)))
    print(f"  City-scale data generated in {time.perf_counter() - started:.1f} s.")


def _personas_and_pages() -> tuple[dict[str, str], list[Page], str, Any]:
    """An SLK reviewer and a body administrator signed in; the pages; the export's address.

    The administrator administers a body whose follow-up of this year can still be
    edited, so that the follow-up form opens rather than redirecting.
    """
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from programme.models import (
        BodyRole,
        FollowUp,
        FollowUpPeriod,
        FollowUpState,
        GlobalRole,
        GlobalRoleKind,
        Membership,
    )

    year = timezone.localdate().year
    editable = (
        FollowUp.objects.filter(
            plan__year=year, state__in=[FollowUpState.DRAFT, FollowUpState.RETURNED]
        )
        .select_related("plan__body")
        .order_by("-period", "plan__body__name")
    )
    follow_up = editable.first()
    if follow_up is None:
        raise SystemExit(f"No follow-up of {year} can be edited; regenerate the data.")
    body = follow_up.plan.body
    slk, _ = User.objects.get_or_create(username="bench-slk", defaults={"first_name": "Bench"})
    GlobalRole.objects.get_or_create(user=slk, role=GlobalRoleKind.SLK_REVIEWER)
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"first_name": "Bench"})
    Membership.objects.filter(user=admin).exclude(body=body).delete()
    Membership.objects.get_or_create(user=admin, body=body, role=BodyRole.ADMINISTRATOR)
    cookies: dict[str, str] = {}
    for name, user in (("SLK", slk), ("administrator", admin)):
        client = Client()
        client.force_login(user)
        cookies[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    overview_period = FollowUpPeriod.T2
    pages = [
        Page(
            f"SLK's follow-up overview, {year} {overview_period.value}",
            "SLK",
            reverse(
                "programme:follow-up-overview",
                kwargs={"year": year, "period": overview_period.value},
            ),
        ),
        Page(
            f"plan page, {body.name} {year}",
            "administrator",
            reverse("programme:plan-detail", kwargs={"slug": body.slug, "year": year}),
        ),
        Page(
            f"follow-up form, {body.name} {year} {follow_up.period}",
            "administrator",
            reverse(
                "programme:follow-up-edit",
                kwargs={"slug": body.slug, "year": year, "period": follow_up.period},
            ),
        ),
    ]
    export = reverse("programme:activity-export", kwargs={"year": year})
    return cookies, pages, export, follow_up


def _count_queries(cookies: dict[str, str], pages: list[Page]) -> dict[str, int]:
    """Each page's queries, read once through the test client (after a first, warm read)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts: dict[str, int] = {}
    for page in pages:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = cookies[page.persona]
        first = client.get(page.url)
        if first.status_code != 200:
            raise SystemExit(f"{page.url} answered {first.status_code} to {page.persona}")
        with CaptureQueriesContext(connection) as queries:
            client.get(page.url)
        counts[page.label] = len(queries)
    return counts


def _free(port: int) -> bool:
    """Whether nothing listens on ``port`` of 127.0.0.1."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


class Gunicorn:
    """A gunicorn serving the site on 127.0.0.1 with ``workers`` processes of ``threads``."""

    def __init__(self, env: dict[str, str], workers: int, threads: int) -> None:
        self.env, self.workers, self.threads = env, workers, threads
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        if not _free(PORT):
            raise SystemExit(f"Port {PORT} is taken; stop what listens there.")
        command = [
            str(Path(PYTHON).parent / "gunicorn"),
            "config.wsgi:application",
            f"--bind=127.0.0.1:{PORT}",
            f"--workers={self.workers}",
            f"--threads={self.threads}",
            "--log-level=warning",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env)
        deadline = time.monotonic() + 30
        while _free(PORT):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=30)
        while not _free(PORT):
            time.sleep(0.1)


def _wrk(page: Page, cookie: str, seconds: int, connections: int, script: str) -> Load:
    """Load one page with wrk and read its figures."""
    from django.conf import settings

    done = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            # A slow answer is measured, not dropped as a timeout after wrk's 2 s.
            "--timeout=30s",
            "-s",
            script,
            "-H",
            f"Cookie: {settings.SESSION_COOKIE_NAME}={cookie}",
            f"http://127.0.0.1:{PORT}{page.url}",
        ],
        check=True,
        capture_output=True,
    )
    line = next(x for x in done.stdout.decode().splitlines() if x.startswith("BENCH "))
    requests, micros, bad_status, errors, p50, p95, p99 = (int(float(x)) for x in line.split()[1:])
    return Load(
        requests_per_second=requests / (micros / 1_000_000),
        p50=p50 / 1000,
        p95=p95 / 1000,
        p99=p99 / 1000,
        bad_status=bad_status,
        errors=errors,
    )


def _warm(page: Page, cookie: str) -> None:
    """Ask once per worker's worth, so that no measured request pays a cold start."""
    from django.conf import settings

    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{page.url}",
        headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
    )
    for _ in range(8):
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()


def _time_export(url: str, cookie: str, rounds: int = 5) -> tuple[list[float], int]:
    """Seconds for each of ``rounds`` downloads of the export, and its size in bytes.

    One download first, untimed: a fresh worker imports openpyxl on its first export.
    """
    from django.conf import settings

    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{url}",
        headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
    )
    timings, size = [], 0
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()
    for _ in range(rounds):
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            if response.status != 200:
                raise SystemExit(f"The export answered {response.status}")
        timings.append(time.perf_counter() - started)
        size = len(body)
    return timings, size


def _rows_in(url: str, cookie: str) -> int:
    """How many rows of activities the export holds (read back with openpyxl)."""
    import io

    import openpyxl
    from django.conf import settings

    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{url}",
        headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        book = openpyxl.load_workbook(io.BytesIO(response.read()), read_only=True)
    # A read-only sheet may not know its size: count the rows, less each heading row.
    return sum(max(sum(1 for _ in sheet.iter_rows()) - 1, 0) for sheet in book.worksheets)


def server_bench(args: argparse.Namespace) -> None:
    """The benchmark of the plan and follow-up pages through gunicorn and wrk."""
    var_dir = tempfile.mkdtemp(prefix="ppm-bench-")
    env = _environment(args, var_dir)
    _make_database(args, env)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from programme.models import Activity, Body, Plan

    cookies, pages, export_url, _follow_up = _personas_and_pages()
    queries = _count_queries(cookies, pages)
    connection.close()
    script = str(Path(var_dir) / "report.lua")
    Path(script).write_text(WRK_SCRIPT)
    print(
        f"Data: {Body.objects.count()} bodies, {Plan.objects.count()} plans, "
        f"{Activity.objects.count()} activities; {os.cpu_count()} cores."
    )

    settings_tried: list[tuple[int, int, Load]] = []
    for setting in args.gunicorn.split(","):
        workers, threads = (int(n) for n in setting.lower().split("x"))
        with Gunicorn(env, workers, threads):
            _warm(pages[0], cookies[pages[0].persona])
            load = _wrk(pages[0], cookies[pages[0].persona], 5, args.connections, script)
        settings_tried.append((workers, threads, load))
        print(
            f"  gunicorn {workers} workers × {threads} threads: SLK's overview "
            f"{load.requests_per_second:.1f} req/s, p95 {load.p95:.0f} ms"
        )
    workers, threads, _best = max(settings_tried, key=lambda s: s[2].requests_per_second)
    print(f"Best on this machine: {workers} workers × {threads} threads.")

    print(
        f"\nwrk -t2 -c{args.connections} -d{args.duration}s against gunicorn "
        f"{workers}×{threads}, PostgreSQL"
    )
    header = f"{'page':<58} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'queries':>8}"
    print(header)
    missed: list[str] = []
    with Gunicorn(env, workers, threads):
        for page in pages:
            _warm(page, cookies[page.persona])
            load = _wrk(page, cookies[page.persona], args.duration, args.connections, script)
            count = queries[page.label]
            print(
                f"{page.label:<58} {load.requests_per_second:7.1f} {load.p50:6.0f} "
                f"{load.p95:6.0f} {load.p99:6.0f} {count:8d}"
            )
            if load.bad_status or load.errors:
                missed.append(f"{page.label}: {load.bad_status} bad answers, {load.errors} errors")
            if load.p95 > TARGET_P95_MS:
                missed.append(f"{page.label}: p95 {load.p95:.0f} ms > {TARGET_P95_MS:.0f} ms")
            if count > TARGET_QUERIES:
                missed.append(f"{page.label}: {count} queries > {TARGET_QUERIES}")
        timings, size = _time_export(export_url, cookies["SLK"])
        rows = _rows_in(export_url, cookies["SLK"])
    slowest = max(timings)
    print(
        f"\nExcel export of every activity of the year ({rows} rows, {size / 1024:.0f} kB), "
        f"SLK, over HTTP: median {statistics.median(timings):.2f} s, slowest {slowest:.2f} s"
    )
    if slowest > TARGET_EXPORT_S:
        missed.append(f"export: {slowest:.2f} s > {TARGET_EXPORT_S:.0f} s")
    print("\nTargets: ≤ 15 queries a page, p95 ≤ 200 ms, export ≤ 3 s: ", end="")
    print("all met." if not missed else "missed:\n  " + "\n  ".join(missed))
    shutil.rmtree(var_dir, ignore_errors=True)


# --- The earlier in-process benchmark of the programme and duty pages ------------------------


if __name__ == "__main__":
    main()
