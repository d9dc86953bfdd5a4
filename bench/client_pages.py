"""Benchmark: the programme and duty pages in process, through Django's test client.

Run through ``bench/pages.py --client`` (see there for the options).
"""

from __future__ import annotations

import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path


def client_bench(requests: int, extra_bodies: int, duty_years: int) -> None:
    """Server time and query count of the programme and duty pages, through the test client.

    Builds a throwaway database (SQLite in a temporary folder unless DATABASE_URL is
    set, in which case a ``test_`` database is created beside it and dropped after),
    loads the real data plus synthetic bodies and duty records, and prints one line per
    page: median and 95th percentile milliseconds and queries a request.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="ppm-bench-")
    os.environ["DEBUG"] = "false"
    # Debug off needs a real key (config.settings): one for this run.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

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
        _client_run(requests, extra_bodies, duty_years, settings.BASE_DIR / "fixtures")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _client_run(requests: int, extra_bodies: int, duty_years: int, fixtures: Path) -> None:
    """Load the data, then time every page."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from programme.models import (
        Body,
        BodyKind,
        BodyRole,
        Confidentiality,
        DutyKind,
        DutyRecord,
        DutyStatus,
        GlobalRole,
        GlobalRoleKind,
        Membership,
        Programme,
    )
    from programme.services.fixtures import load_programme_data

    load_programme_data(fixtures)
    Body.objects.bulk_create(
        Body(slug=f"bench-{i}", kind=BodyKind.COMPANY_BOARD, name=f"Bench AB {i}")
        for i in range(extra_bodies)
    )
    this_year = timezone.localdate().year
    jarva = Body.objects.get(slug="jarva")
    levels = list(Confidentiality)
    DutyRecord.objects.bulk_create(
        DutyRecord(
            body=jarva,
            year=this_year - offset,
            duty=kind,
            status=DutyStatus.MET,
            confidentiality=levels[offset % 3],
            description="Genomförd enligt plan.",
        )
        for offset in range(duty_years)
        for kind in DutyKind
    )
    DutyRecord.objects.bulk_create(
        DutyRecord(body=body, year=this_year, duty=kind, status=DutyStatus.IN_PROGRESS)
        for body in Body.objects.active_on(timezone.localdate()).exclude(pk=jarva.pk)
        for kind in DutyKind
    )
    users = get_user_model().objects
    reader = users.create_user("bench", password="not-used-for-sign-in")
    administrator = users.create_user("bench-jarva", password="not-used-for-sign-in")
    Membership.objects.create(user=administrator, body=jarva, role=BodyRole.ADMINISTRATOR)
    slk = users.create_user("bench-slk", password="not-used-for-sign-in")
    GlobalRole.objects.create(user=slk, role=GlobalRoleKind.SLK_REVIEWER)
    clients = {}
    for name, user in (("no role", reader), ("Järva admin", administrator), ("SLK", slk)):
        clients[name] = Client()
        clients[name].force_login(user)

    pages: dict[str, tuple[str, str]] = {
        "start": ("no role", "/"),
        "programme list": ("no role", "/program/"),
        "body list": ("no role", "/namnder/"),
    }
    for programme in Programme.objects.order_by("first_year", "name"):
        pages[f"programme {programme.slug}"] = ("no role", programme.get_absolute_url())
    duty = {"slug": "jarva", "year": this_year, "duty": DutyKind.RISK_ANALYSIS.value}
    pages |= {
        "account (Järva admin)": ("Järva admin", reverse("programme:account")),
        f"Järva duty list, {duty_years * 6} records": (
            "Järva admin",
            reverse("programme:duty-list", kwargs={"slug": "jarva"}),
        ),
        "Järva checklist this year": (
            "Järva admin",
            reverse("programme:duty-checklist", kwargs={"slug": "jarva", "year": this_year}),
        ),
        "Järva duty record page": ("Järva admin", reverse("programme:duty-detail", kwargs=duty)),
        "Järva duty edit form": ("Järva admin", reverse("programme:duty-edit", kwargs=duty)),
        "SLK overview of every body this year": (
            "SLK",
            reverse("programme:duty-overview", kwargs={"year": this_year}),
        ),
        "SLK body edit page": (
            "SLK",
            reverse("programme:body-edit", kwargs={"slug": "jarva"}),
        ),
    }

    print(
        f"backend={connection.vendor} requests/page={requests} "
        f"bodies={Body.objects.count()} (synthetic {extra_bodies})"
    )
    print(f"{'page':<55} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for label, (persona, url) in pages.items():
        client = clients[persona]
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
