"""Every page a persona can reach by following links answers, and opening a page never writes.

The demo year (plans and follow-ups in every state, some with nobody named as their
submitter) and the demo duty records are loaded; then, for each persona, every link
reachable from the start page within the site is followed (GET only). No page may
fail with a server error, and no link may lead a persona to a page that refuses them:
a page should not offer what the reader may not open.

Opening a page never writes: the same walk (one walk per persona serves both), with
every follow-up page of the demo year added (the periods not started too, whoever may open them, and
drafts whose plan gained items since they began), runs with each SQL statement watched
and fails on an INSERT, UPDATE or DELETE of any table but the session's and the sign-in
records'.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programme.demo.plans import generate_demo_year
from programme.models import (
    AccessLogEntry,
    Activity,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    Goal,
    Indicator,
    Plan,
)
from tests.conftest import PERSONAS, Cast

# Pages left out of the walk: signing out ends the session, the admin is tested on its
# own (tests/access/test_admin_access.py), and static files are not pages.
SKIP = ("/admin/", "/static/", "/logga-ut/")
# How many pages one persona's walk may visit; the demo has fewer.
LIMIT = 400
LINK = re.compile(r'<a\s[^>]*href="([^"#][^"]*)"')


def walk(
    client: Client,
    also: Iterable[str] = (),
    opening: Callable[[str], None] | None = None,
) -> tuple[dict[str, int], set[str]]:
    """Every page reachable from the start page with its status code, and the linked ones.

    ``also`` are pages opened besides, right after the start page, whether linked or not;
    the second set names the pages some page linked or sent on to (the start page too).
    ``opening`` is told each page before it is asked for.
    """
    seen: dict[str, int] = {}
    linked = {reverse("start")}
    queue = deque([reverse("start"), *also])
    while queue and len(seen) < LIMIT:
        path = queue.popleft()
        if path in seen:
            continue
        if opening is not None:
            opening(path)
        response = client.get(path)
        seen[path] = response.status_code
        location = response.get("Location", "")
        if response.status_code == 302 and location.startswith("/"):
            # A page that sends on (the overview of the period due next) counts as open,
            # unless it sends the persona back to sign in.
            if not location.startswith(reverse("login")):
                seen[path] = 200
                queue.append(location)
                linked.add(location)
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in LINK.findall(response.content.decode()):
            target = urldefrag(unescape(href))[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not target.startswith("/"):
                continue
            if target.startswith(SKIP):
                continue
            linked.add(target)
            if target not in seen:
                queue.append(target)
    return seen, linked


# --- Opening a page never writes -------------------------------------------------------

# What a request may write while it only reads: the session (signing in, messages, a form
# kept after the session ended) and django-axes' records of signing in.
WRITABLE_TABLES = frozenset(
    {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}
)
# Opening a confidential record adds a row to the access log, by design (who opened what,
# when); a row is never changed or removed, so an UPDATE or DELETE of it still fails here.
APPEND_ONLY_TABLES = frozenset({AccessLogEntry._meta.db_table})
WRITE = re.compile(r"""^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)""", re.IGNORECASE)
# Signing in records when: Django's ``update_last_login``, and nothing else of the user.
LAST_LOGIN = re.compile(
    r"""^\s*UPDATE\s+"auth_user"\s+SET\s+"last_login"\s*=\s*\S+\s+WHERE\s""", re.IGNORECASE
)
FOLLOW_UP_PAGES = ("follow-up-detail", "follow-up-edit", "follow-up-review", "follow-up-export")


def is_forbidden_write(sql: str) -> bool:
    """Whether ``sql`` writes a table that opening a page may not write."""
    match = WRITE.match(sql)
    if match is None or LAST_LOGIN.match(sql):
        return False
    verb, table = match.group(1).split()[0].upper(), match.group(2)
    return table not in WRITABLE_TABLES and not (verb == "INSERT" and table in APPEND_ONLY_TABLES)


@dataclass
class WriteWatch:
    """Each statement that writes a table a page may not, with the page that sent it."""

    page: str = ""
    writes: list[str] = field(default_factory=list)
    statements: int = 0

    def opening(self, path: str) -> None:
        self.page = path

    def __call__(
        self, execute: Callable[..., object], sql: str, params: object, many: bool, context: object
    ) -> object:
        self.statements += 1
        if is_forbidden_write(sql):
            self.writes.append(f"{self.page}: {sql[:160]}")
        return execute(sql, params, many, context)


def add_items_after_the_drafts_began(year: int) -> None:
    """Give Järva's plan, whose drafts have all their rows, new goals, activities, indicators."""
    plan = Plan.objects.get(body__slug="jarva", year=year)
    assert plan.follow_ups.filter(state=FollowUpState.DRAFT).exists()
    goal = Goal.objects.create(plan=plan, position=99, title="Nytt mål efter att utkastet började")
    existing = plan.goals.exclude(pk=goal.pk).order_by("position").first()
    assert existing is not None
    for parent in (goal, existing):
        Activity.objects.create(goal=parent, position=99, title=f"Ny aktivitet under {parent.pk}")
        Indicator.objects.create(goal=parent, position=99, name=f"Ny indikator under {parent.pk}")


def follow_up_pages(year: int) -> tuple[list[str], list[str]]:
    """Every follow-up page of the demo year, and the pages of the periods not started."""
    started = set(FollowUp.objects.filter(plan__year=year).values_list("plan_id", "period"))
    every, not_started = [], []
    for plan in Plan.objects.filter(year=year).select_related("body").order_by("body__slug"):
        for period in FollowUpPeriod:
            kwargs = {"slug": plan.body.slug, "year": year, "period": period.value}
            pages = [reverse(f"programme:{name}", kwargs=kwargs) for name in FOLLOW_UP_PAGES]
            every.extend(pages)
            if (plan.pk, period.value) not in started:
                not_started.extend(pages)
    return every, not_started


# The personas whose walk must find every linked page open (signed out, every page sends
# to the sign-in page).
LINK_PERSONAS = ("admin_a", "reader_a", "admin_b", "slk", "official", "no_role", "sysadmin")


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_linked_page_opens_and_opening_any_page_writes_nothing(cast: Cast, persona: str):
    generate_demo_year()
    client = Client()
    if persona != "anonymous":
        # Signed in before the watch starts: signing in writes, opening pages does not.
        client.force_login(cast.by_name(persona))
    year = timezone.localdate().year
    add_items_after_the_drafts_began(year)
    every, not_started = follow_up_pages(year)
    assert not_started, "the demo year should have a follow-up not started"
    watch = WriteWatch()

    with connection.execute_wrapper(watch):
        seen, linked = walk(client, also=every, opening=watch.opening)

    # Signed out, every page sends to the sign-in page without reading the database.
    assert watch.statements > len(seen) or persona == "anonymous", "the watch saw nothing"
    assert watch.writes == [], f"{persona}: pages that wrote: {watch.writes}"
    assert set(not_started) <= set(seen), f"{persona} did not open every page not started"
    errors = {path: status for path, status in seen.items() if status >= 500}
    assert errors == {}, f"{persona}: pages that failed: {errors}"
    if persona in LINK_PERSONAS:
        # A page offers only what its reader may open.
        refused = {path: seen[path] for path in linked & seen.keys() if seen[path] != 200}
        assert refused == {}, f"{persona}: links that do not open: {refused}"
        assert len(linked & seen.keys()) > 5, f"{persona} reached only {len(linked)} pages"


def test_the_watch_tells_a_write_from_the_session_and_signing_in(cast: Cast):
    watch = WriteWatch()
    watch.opening("/a-page/")

    with connection.execute_wrapper(watch):
        Client().force_login(cast.admin_a)  # the session and the user's last sign-in
        Plan.objects.create(body=cast.body_a, year=2000)
        Plan.objects.filter(body=cast.body_a, year=2000).update(year=2001)
        Plan.objects.filter(body=cast.body_a, year=2001).delete()

    kinds = {" ".join(write.split(": ", 1)[1].split()[:3]) for write in watch.writes}
    assert kinds == {
        'INSERT INTO "programme_plan"',
        'INSERT INTO "programme_historicalplan"',
        'UPDATE "programme_plan" SET',
        'DELETE FROM "programme_plan"',
    }, watch.writes
    assert all(write.startswith("/a-page/: ") for write in watch.writes)


@pytest.mark.parametrize(
    ("sql", "forbidden"),
    [
        ('SELECT "programme_plan"."id" FROM "programme_plan"', False),
        ('UPDATE "django_session" SET "session_data" = %s WHERE "session_key" = %s', False),
        ('INSERT INTO "axes_accesslog" ("username") VALUES (%s)', False),
        ('UPDATE "auth_user" SET "last_login" = %s WHERE "auth_user"."id" = %s', False),
        ('UPDATE "auth_user" SET "password" = %s, "last_login" = %s WHERE "id" = %s', True),
        ('INSERT INTO "programme_accesslogentry" ("at") VALUES (%s)', False),
        ('UPDATE "programme_accesslogentry" SET "at" = %s', True),
        ('DELETE FROM "programme_accesslogentry" WHERE "id" = %s', True),
        ('INSERT INTO "programme_followup" ("plan_id") VALUES (%s)', True),
    ],
)
def test_what_the_watch_allows(sql: str, forbidden: bool):
    assert is_forbidden_write(sql) is forbidden
