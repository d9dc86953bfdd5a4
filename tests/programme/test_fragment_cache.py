"""The cached row tables of the plan page and SLK's review page: the key holds everything
a table shows, so a fragment never reaches a viewer who may not see its rows, never
outlives a change, and follows the language."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client

from programme.models import Activity, Confidentiality
from programme.services import plan_records
from programme.templatetags.fragments import DERIVED, ROW_FIELDS
from tests.conftest import Cast
from tests.programme.test_plan_page import client_for, plan, plan_url, row_titles  # noqa: F401

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "programme" / "plans"
SECRET = "Hemlig översyn"


CACHED_TABLES = [
    ("activities", TEMPLATES / "_activity_table.html"),
    ("indicators", TEMPLATES / "_indicator_table.html"),
    ("board", Path(settings.BASE_DIR) / "templates" / "remiss" / "rounds" / "_board.html"),
]


@pytest.mark.parametrize(
    ("kind", "template"), CACHED_TABLES, ids=[kind for kind, _ in CACHED_TABLES]
)
def test_the_key_holds_every_value_each_table_reads_of_a_row(kind: str, template: Path):
    # A value a table shows that the key left out could be served stale: every
    # ``row.x`` (and ``outcome.x``) the template reads must be in ROW_FIELDS or follow
    # from one that is.
    source = template.read_text()
    assert "{% cache " in source and "rows_key" in source
    read = set(re.findall(r"\brow\.([\w.]+)", source))
    read |= {f"outcome.{field}" for field in re.findall(r"\boutcome\.(\w+)", source)}
    read.discard("outcome")
    assert read, template.name
    keyed = set(ROW_FIELDS[kind])
    missing = {field for field in read if field not in keyed and DERIVED.get(field) not in keyed}
    assert missing == set(), f"{template.name} reads {missing}, which its cache key leaves out"


def _spy(prefix: str = "template.cache.plan-rows", using: str = "default") -> Any:
    """Counts the cache's answers for fragments under ``prefix``: hits and misses."""
    spied = caches[using]
    real_get = spied.get
    counts = {"hit": 0, "miss": 0}

    def get(key: str, default: Any = None, version: Any = None) -> Any:
        value = real_get(key, default, version)
        if key.startswith(prefix):
            counts["hit" if value is not None else "miss"] += 1
        return value

    return counts, mock.patch.object(spied, "get", side_effect=get)


@pytest.mark.usefixtures("plan")
@pytest.mark.parametrize("first", ["admin_a", "reader_a"])
def test_a_cached_table_never_reaches_a_viewer_who_may_not_see_its_rows(cast: Cast, first: str):
    counts, spying = _spy()
    with spying:
        pages = {}
        for persona in (first, "reader_a" if first == "admin_a" else "admin_a"):
            pages[persona] = client_for(cast, persona).get(plan_url(cast)).content.decode()
        # The second viewer of the same person's rows is served from the cache.
        again = client_for(cast, "admin_a").get(plan_url(cast)).content.decode()

    assert SECRET in pages["admin_a"]
    assert SECRET not in pages["reader_a"]
    assert "Krisövning" in pages["reader_a"]
    assert SECRET in again
    # The goal with the confidential row differs between the two; the other goal's
    # tables are the same for both and were rendered once.
    assert counts["hit"] > 0


@pytest.mark.usefixtures("plan")
def test_a_change_is_shown_at_once_whether_or_not_it_raised_the_version(cast: Cast):
    client = client_for(cast, "admin_a")
    client.get(plan_url(cast))
    activity = Activity.objects.get(title="Krisövning")

    plan_records.update_activity(
        cast.admin_a, activity, activity.version, {"title": "Krisövning med polisen"}
    )
    assert "Krisövning med polisen" in row_titles(client.get(plan_url(cast)))

    # Even a change that bypassed the version (an update in SQL) shows: the key is made
    # of the values shown, not of the version alone.
    Activity.objects.filter(pk=activity.pk).update(responsible_unit="Ny enhet")
    assert "Ny enhet" in client.get(plan_url(cast)).content.decode()

    # A level raised: the reader no longer gets the row.
    Activity.objects.filter(pk=activity.pk).update(confidentiality=Confidentiality.CONFIDENTIAL)
    assert "Krisövning med polisen" not in row_titles(
        client_for(cast, "reader_a").get(plan_url(cast))
    )


@pytest.mark.usefixtures("plan")
def test_the_cached_table_follows_the_language(cast: Cast):
    client: Client = client_for(cast, "admin_a")
    swedish = client.get(plan_url(cast)).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(plan_url(cast)).content.decode()

    assert "Pågående" in swedish
    assert "Ongoing" in english and "Pågående" not in english


@pytest.mark.usefixtures("plan")
def test_the_tables_are_cached_in_redis_when_the_setting_names_it(cast: Cast):
    from django.core.cache import caches
    from django.test import override_settings

    from tests.programme.test_worker_integration import require_redis

    client = require_redis()
    prefix = f"fragments-test-{id(client)}"
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": prefix,
        }
    }
    try:
        with override_settings(CACHES=redis_cache):
            assert type(caches["default"]).__name__ == "RedisCache"
            first = client_for(cast, "admin_a").get(plan_url(cast)).content.decode()
            stored = [key for key in client.keys(f"{prefix}:*") if b"plan-rows" in key]
            second = client_for(cast, "admin_a").get(plan_url(cast)).content.decode()
        assert stored, "no table was stored in Redis"
        assert SECRET in first and first.count("<tr id=") == second.count("<tr id=")
    finally:
        for key in client.keys(f"{prefix}:*"):
            client.delete(key)
