"""Benchmark: server time and query count of the programme pages.

Builds a throwaway database (SQLite in a temporary folder unless DATABASE_URL is set,
in which case a database named ``<name>_bench`` is created beside it and dropped after),
loads the real data, optionally adds synthetic bodies and focus areas to show that the
pages do not slow down with rows, and requests each page through Django's test client.

    .venv/bin/python bench/pages.py [--requests 200] [--extra-bodies 1000]

Prints one line per page: median and 95th percentile milliseconds and queries a request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument(
        "--extra-bodies", type=int, default=1000, help="synthetic bodies added to the real ones"
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="ppm-bench-")
    os.environ["DEBUG"] = "false"

    import django
    from django.conf import settings

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    # Django's test database machinery creates and later drops a fresh database
    # on whichever backend DATABASE_URL names.
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args.requests, args.extra_bodies, settings.BASE_DIR / "fixtures")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(requests: int, extra_bodies: int, fixtures: Path) -> None:
    """Load the data, then time every page."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from programme.models import Body, BodyKind, Programme
    from programme.services import load_programme_data

    load_programme_data(fixtures)
    Body.objects.bulk_create(
        Body(slug=f"bench-{i}", kind=BodyKind.COMPANY_BOARD, name=f"Bench AB {i}")
        for i in range(extra_bodies)
    )
    user = get_user_model().objects.create_user("bench", password="not-used-for-sign-in")
    client = Client()
    client.force_login(user)

    pages = {"start": "/", "programme list": "/program/", "body list": "/namnder/"}
    for programme in Programme.objects.order_by("first_year", "name"):
        pages[f"programme {programme.slug}"] = programme.get_absolute_url()

    print(
        f"backend={connection.vendor} requests/page={requests} "
        f"bodies={Body.objects.count()} (synthetic {extra_bodies})"
    )
    print(f"{'page':<55} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for label, url in pages.items():
        # The query log is a bounded deque; start each count from an empty one.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        query_count = len(queries)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(f"{label:<55} {statistics.median(timings):8.2f} {p95:8.2f} {query_count:8d}")


if __name__ == "__main__":
    main()
