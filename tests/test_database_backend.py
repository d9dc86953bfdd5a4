"""The suite runs on the database that DATABASE_URL names, so CI cannot run SQLite twice."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from django.db import connection

# The database vendor each DATABASE_URL scheme must give; no DATABASE_URL means SQLite.
VENDOR_FOR_SCHEME = {
    "postgres": "postgresql",
    "postgresql": "postgresql",
    "pgsql": "postgresql",
    "sqlite": "sqlite",
}


def expected_vendor() -> str:
    """The vendor the environment asks for."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite"
    scheme = urlsplit(url).scheme.lower()
    assert scheme in VENDOR_FOR_SCHEME, f"DATABASE_URL has an unexpected scheme: {scheme!r}"
    return VENDOR_FOR_SCHEME[scheme]


@pytest.mark.django_db
def test_connection_vendor_matches_database_url() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)

    assert connection.vendor == expected_vendor()


@pytest.mark.django_db
def test_tests_run_on_a_throwaway_database() -> None:
    name = str(connection.settings_dict["NAME"])

    if connection.vendor == "sqlite":
        # pytest-django gives SQLite an in-memory database.
        assert "memory" in name
    else:
        assert name.startswith("test_")


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_plans_a_query_the_connection_repeats_once() -> None:
    """After a few runs the same query is a prepared statement: planned once, not per run."""
    from programme.models import Body

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            row = cursor.fetchone()
        assert row is not None
        return int(row[0])

    before = prepared()
    for _ in range(int(connection.settings_dict["OPTIONS"]["prepare_threshold"]) + 1):
        list(Body.objects.filter(slug="no-such-body-at-all"))
    assert prepared() > before
