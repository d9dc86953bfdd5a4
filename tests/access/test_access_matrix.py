"""The access matrix: every URL of the URLconf, for every persona, GET and POST.

Every URL pattern (walked recursively through includes and namespaces, the admin
included) must have a row here, or ``test_every_url_pattern_has_a_row`` fails and names
it. A row says how to build the address from the ``cast`` and the records made for body
A, and what each persona gets: 200, a redirect (anonymous visitors: to the sign-in page
with ``next``), 403 for what they may see but not change, 404 for what they may not see,
405 for a method the view does not take. The admin's rows follow one rule (only the
system administrator gets in) and are generated.

The rules come from the design ("Who sees what"), not from what the views happen to do:
a view that answers otherwise fails here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import models, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from programme.models import (
    Confidentiality,
    DutyKind,
    DutyRecord,
    DutyStatus,
    EvidenceFile,
    GlobalRole,
    Membership,
    Programme,
)
from programme.services.fixtures import load_programme_data
from tests.access import (
    matrix_rows_follow_ups,
    matrix_rows_overview,
    matrix_rows_plans,
    matrix_rows_remiss_compilation,
    matrix_rows_remiss_responses,
    matrix_rows_remiss_rounds,
    matrix_rows_remiss_search,
    matrix_rows_reports,
    matrix_rows_settings,
)
from tests.access.matrix_support import (
    CHANGES_A,
    CHANGES_A_CONFIDENTIAL,
    PDF_BYTES,
    SEES_A,
    SEES_A_CONFIDENTIAL,
    SIGN_IN,
    SIGNED_IN,
    Expected,
    Row,
    World,
    answers,
    body_a_slug,
    duty_of,
    make_plan_world,
    pk_of,
    programme_url,
    this_year,
)
from tests.conftest import PERSONAS, Cast, existing_cast

# --- The URLconf ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """One URL pattern of the URLconf, with its full name and full route."""

    key: str
    name: str | None
    route: str


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Pattern]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Pattern(key=name or f"{namespace}<unnamed> {route}", name=name, route=route)


def url_patterns() -> list[Pattern]:
    """Every URL pattern of the URLconf, keyed by full name (or route where unnamed)."""
    return list(_walk(get_resolver(), "", ""))


# --- What the rows are built from -------------------------------------------------------


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The cast and body A's records, made once for the whole matrix.

    They are made inside a transaction that stays open for the module and is rolled back
    at its end; each test runs in a savepoint within it (pytest-django's ``db``), so no
    test sees another's changes. This keeps the matrix fast: the data is set up once,
    not once for each of its rows.
    """
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        pytest.MonkeyPatch.context() as monkeypatch,
        transaction.atomic(),
    ):
        storage = FileSystemStorage(location=tmp_path_factory.mktemp("evidence"))
        monkeypatch.setattr(EvidenceFile._meta.get_field("file"), "storage", storage)
        yield make_world()
        transaction.set_rollback(True)


def make_cast() -> Cast:
    """The ``cast`` fixture's personas, over the real data (both already in the shared world)."""
    load_programme_data(settings.BASE_DIR / "fixtures")
    return existing_cast()


def make_world() -> World:
    """The cast, body A's records (one confidential) with evidence, and admin objects."""
    cast = make_cast()
    year = timezone.localdate().year
    record = DutyRecord.objects.create(
        body=cast.body_a,
        year=year,
        duty=DutyKind.SECURITY_COORDINATOR,
        status=DutyStatus.MET,
        person_name="Karin Karlsson",
        confidentiality=Confidentiality.INTERNAL,
    )
    confidential = DutyRecord.objects.create(
        body=cast.body_a,
        year=year,
        duty=DutyKind.CRISIS_PLAN,
        status=DutyStatus.IN_PROGRESS,
        confidentiality=Confidentiality.CONFIDENTIAL,
    )
    DutyRecord.objects.create(
        body=cast.body_b, year=year, duty=DutyKind.EXERCISES, status=DutyStatus.IN_PROGRESS
    )

    def evidence_of(duty_record: DutyRecord) -> EvidenceFile:
        evidence = EvidenceFile(
            duty_record=duty_record,
            original_name="bevis.pdf",
            content_type="application/pdf",
            size=len(PDF_BYTES),
            uploaded_by=cast.admin_a,
        )
        evidence.file.save("bevis.pdf", ContentFile(PDF_BYTES), save=True)
        return evidence

    programme = Programme.objects.get(slug="sakerhetsprogram-2024")
    focus_area = programme.focus_areas.order_by("position").first()
    assert focus_area is not None
    attempt = AccessAttempt.objects.create(
        username="someone", ip_address="127.0.0.1", user_agent="test", failures_since_start=1
    )
    log = AccessLog.objects.create(username="someone", ip_address="127.0.0.1", user_agent="t")
    failure = AccessFailureLog.objects.create(
        username="someone", ip_address="127.0.0.1", user_agent="test", locked_out=False
    )
    admin_objects: dict[type[models.Model], models.Model] = {
        User: cast.admin_a,
        Group: Group.objects.create(name="Demogrupp"),
        Membership: Membership.objects.get(user=cast.admin_a),
        GlobalRole: GlobalRole.objects.get(user=cast.slk),
        AccessAttempt: attempt,
        AccessLog: log,
        AccessFailureLog: failure,
        Programme: programme,
    }
    sessions = {}
    for persona in SIGNED_IN:
        client = Client()
        client.force_login(cast.by_name(persona))
        sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return World(
        cast=cast,
        year=year,
        record=record,
        confidential=confidential,
        evidence=evidence_of(record),
        confidential_evidence=evidence_of(confidential),
        programme=programme,
        focus_area=focus_area,
        plans=make_plan_world(cast, year, focus_area),
        admin_objects=admin_objects,
        sessions=sessions,
    )


@pytest.fixture
def fresh_world(world: World, db: None) -> World:
    """The module's world, inside this test's savepoint, with its evidence files on disk.

    A test may delete an evidence file: the database forgets it when the savepoint rolls
    back, the disk does not, so the files are put back first.
    """
    for evidence in (world.evidence, world.confidential_evidence):
        storage = EvidenceFile._meta.get_field("file").storage
        if not storage.exists(evidence.file.name):
            with open(storage.path(evidence.file.name), "wb") as handle:
                handle.write(PDF_BYTES)
    return world


# --- Rows -------------------------------------------------------------------------------


def site_rows() -> list[Row]:
    """The rows of the site's own pages, written out one by one."""
    read_only = answers(200)
    rows = [
        Row("start", "start", lambda w: reverse("start"), read_only),
        # The accessibility statement: open to everyone, signed in or not (lag 2018:1937).
        Row(
            "accessibility",
            "accessibility",
            lambda w: reverse("accessibility"),
            answers(200, anonymous=200),
            answers(405, anonymous=405),
        ),
        Row("programme:list", "programme:list", lambda w: reverse("programme:list"), read_only),
        Row(
            "programme:detail",
            "programme:detail",
            lambda w: reverse("programme:detail", kwargs={"slug": w.programme.slug}),
            read_only,
        ),
        Row(
            "programme:body-list",
            "programme:body-list",
            lambda w: reverse("programme:body-list"),
            read_only,
        ),
        Row("login", "login", lambda w: reverse("login"), answers(200, 200), answers(200, 200)),
        Row(
            "logout",
            "logout",
            lambda w: reverse("logout"),
            answers(405),
            answers(302),
        ),
        Row(
            "set_language",
            "set_language",
            lambda w: reverse("set_language"),
            answers(302, 302),
            answers(302, 302),
            post_data={"language": "sv", "next": "/"},
        ),
        # A POST without the notification form's fields is refused and the page shown.
        Row(
            "programme:account",
            "programme:account",
            programme_url("account"),
            read_only,
            answers(200),
        ),
        # --- duties: body A's records, as its members, SLK and everyone else see them ---
        Row(
            "programme:duty-list",
            "programme:duty-list",
            programme_url("duty-list", slug=body_a_slug),
            answers(404, **SEES_A),
        ),
        Row(
            "programme:duty-checklist",
            "programme:duty-checklist",
            programme_url("duty-checklist", slug=body_a_slug, year=this_year),
            answers(404, **SEES_A),
        ),
        Row(
            "programme:duty-detail",
            "programme:duty-detail",
            programme_url("duty-detail", slug=body_a_slug, year=this_year, duty=duty_of("record")),
            answers(404, **SEES_A),
        ),
        Row(
            "programme:duty-detail (confidential)",
            "programme:duty-detail",
            programme_url(
                "duty-detail", slug=body_a_slug, year=this_year, duty=duty_of("confidential")
            ),
            answers(404, **SEES_A_CONFIDENTIAL),
        ),
        Row(
            "programme:duty-edit",
            "programme:duty-edit",
            programme_url("duty-edit", slug=body_a_slug, year=this_year, duty=duty_of("record")),
            answers(404, **CHANGES_A),
            # An empty form is refused and shown again with its errors.
            answers(404, **CHANGES_A),
        ),
        Row(
            "programme:duty-edit (confidential)",
            "programme:duty-edit",
            programme_url(
                "duty-edit", slug=body_a_slug, year=this_year, duty=duty_of("confidential")
            ),
            # The edit page addresses a duty of the body, recorded or not: a reader may not
            # change any of them and gets 403 for every duty alike, so the answer does not
            # tell whether a confidential record exists.
            answers(404, **CHANGES_A_CONFIDENTIAL, reader_a=403),
            answers(404, **CHANGES_A_CONFIDENTIAL, reader_a=403),
        ),
        Row(
            "programme:evidence-upload",
            "programme:evidence-upload",
            programme_url(
                "evidence-upload", slug=body_a_slug, year=this_year, duty=duty_of("record")
            ),
            answers(405),
            # Without a file the upload is refused and the record's page shown again.
            answers(404, **CHANGES_A),
        ),
        Row(
            "programme:evidence-upload (confidential)",
            "programme:evidence-upload",
            programme_url(
                "evidence-upload", slug=body_a_slug, year=this_year, duty=duty_of("confidential")
            ),
            answers(405),
            answers(404, **CHANGES_A_CONFIDENTIAL),
        ),
        Row(
            "programme:evidence-download",
            "programme:evidence-download",
            programme_url("evidence-download", pk=pk_of("evidence")),
            answers(404, **SEES_A),
        ),
        Row(
            "programme:evidence-download (confidential)",
            "programme:evidence-download",
            programme_url("evidence-download", pk=pk_of("confidential_evidence")),
            answers(404, **SEES_A_CONFIDENTIAL),
        ),
        Row(
            "programme:evidence-delete",
            "programme:evidence-delete",
            programme_url("evidence-delete", pk=pk_of("evidence")),
            answers(404, **CHANGES_A),
            # The administrator's POST deletes the file and leads back to the record.
            answers(404, **(CHANGES_A | {"admin_a": 302})),
            last="admin_a",
        ),
        Row(
            "programme:evidence-delete (confidential)",
            "programme:evidence-delete",
            programme_url("evidence-delete", pk=pk_of("confidential_evidence")),
            answers(404, **CHANGES_A_CONFIDENTIAL),
            answers(404, **(CHANGES_A_CONFIDENTIAL | {"admin_a": 302})),
            last="admin_a",
        ),
        Row(
            "programme:duty-overview",
            "programme:duty-overview",
            programme_url("duty-overview", year=this_year),
            answers(403, slk=200),
        ),
    ]
    # --- maintenance: SLK's own pages; an empty form is refused and shown again ---
    slk_only = answers(403, slk=200)
    for name, kwargs in [
        ("programme-create", {}),
        ("programme-edit", {"slug": lambda w: w.programme.slug}),
        ("focus-area-create", {"slug": lambda w: w.programme.slug}),
        ("focus-area-edit", {"pk": lambda w: w.focus_area.pk}),
        ("body-create", {}),
        ("body-edit", {"slug": body_a_slug}),
        ("body-merge", {}),
    ]:
        rows.append(
            Row(
                f"programme:{name}",
                f"programme:{name}",
                programme_url(name, **kwargs),
                slk_only,
                slk_only,
            )
        )
    return rows


# --- The admin: one rule for all of it --------------------------------------------------

# The sysadmin is never sent to POST: the admin's forms delete and change users.
ADMIN_POST = {persona: 403 for persona in SIGNED_IN if persona != "sysadmin"} | {
    "anonymous": SIGN_IN
}
# What the system administrator gets where it is not the page itself.
ADMIN_SYSADMIN_ANSWERS = {
    "admin:login": 302,  # already signed in: on to the admin's index
    "admin:logout": 405,  # signing out takes a POST
    "admin:view_on_site": 302,  # on to the object's own page
    # Sign-in attempts are recorded by django-axes, never added by hand.
    "admin:axes_accessattempt_add": 403,
    "admin:axes_accesslog_add": 403,
    "admin:axes_accessfailurelog_add": 403,
}


def _admin_model(route: str) -> type[models.Model] | None:
    """The model of an admin route such as ``admin/auth/user/<path:object_id>/``."""
    parts = route.split("/")
    if len(parts) < 3:
        return None
    try:
        return apps.get_model(parts[1], parts[2])
    except (LookupError, ValueError):
        return None


def _admin_url(pattern: Pattern) -> Callable[[World], str]:
    """How to build an admin address from the world's objects of the pattern's model."""
    model = _admin_model(pattern.route)

    def instance(world: World) -> models.Model:
        assert model is not None, pattern.route
        return world.admin_objects[model]

    if pattern.name == "admin:view_on_site":
        return lambda w: reverse(
            pattern.name or "",
            kwargs={
                "content_type_id": ContentType.objects.get_for_model(Programme).pk,
                "object_id": w.programme.pk,
            },
        )
    if pattern.name == "admin:app_list":
        return lambda w: reverse("admin:app_list", kwargs={"app_label": "programme"})
    if pattern.name == "admin:autocomplete":
        return lambda w: (
            reverse("admin:autocomplete")
            + "?app_label=programme&model_name=membership&field_name=user&term=a"
        )
    if pattern.name is None and pattern.route.endswith("(?P<url>.*)$"):
        return lambda w: "/admin/finns-inte/"
    if pattern.name is None:
        # A model's bare object address, which redirects to its change page.
        return lambda w: "/" + pattern.route.replace("<path:object_id>", str(instance(w).pk))
    if pattern.name.endswith("_simple_history"):
        return lambda w: reverse(
            pattern.name or "",
            args=[instance(w).pk, instance(w).history.first().history_id],  # type: ignore[attr-defined]
        )
    if "<id>" in pattern.route:
        return lambda w: reverse(pattern.name or "", kwargs={"id": instance(w).pk})
    if "<path:object_id>" in pattern.route:
        return lambda w: reverse(pattern.name or "", kwargs={"object_id": instance(w).pk})
    return lambda w: reverse(pattern.name or "")


def admin_rows(patterns: list[Pattern]) -> list[Row]:
    """A row for every admin pattern: only the system administrator gets in."""
    rows = []
    for pattern in patterns:
        if not pattern.key.startswith("admin:"):
            continue
        sysadmin: Expected = ADMIN_SYSADMIN_ANSWERS.get(pattern.key, 200)
        # The admin's own sign-in page sends everyone to the site's, then to the admin.
        anonymous = f"{SIGN_IN}:/admin/" if pattern.key == "admin:login" else SIGN_IN
        if pattern.name is None:
            # The bare object address redirects; an unknown admin address is not found.
            sysadmin = 404 if pattern.route.endswith("(?P<url>.*)$") else 302
        rows.append(
            Row(
                pattern.key,
                pattern.key,
                _admin_url(pattern),
                answers(403, anonymous, sysadmin=sysadmin),
                ADMIN_POST | {"anonymous": anonymous},
            )
        )
    return rows


PATTERNS = url_patterns()
ROWS = (
    site_rows()
    + matrix_rows_plans.rows()
    + matrix_rows_follow_ups.rows()
    + matrix_rows_overview.rows()
    + matrix_rows_settings.rows()
    + matrix_rows_reports.rows()
    + matrix_rows_remiss_rounds.rows()
    + matrix_rows_remiss_responses.rows()
    + matrix_rows_remiss_compilation.rows()
    + matrix_rows_remiss_search.rows()
    + admin_rows(PATTERNS)
)


# --- The tests --------------------------------------------------------------------------


def test_every_url_pattern_has_a_row():
    keys = {row.name for row in ROWS}
    missing = [pattern.key for pattern in PATTERNS if pattern.key not in keys]

    assert missing == [], "URL patterns without a row in the access matrix:\n" + "\n".join(missing)


def test_every_row_names_a_url_pattern():
    keys = {pattern.key for pattern in PATTERNS}
    stale = sorted({row.name for row in ROWS} - keys)

    assert stale == [], "Rows of the access matrix for URLs that do not exist:\n" + "\n".join(stale)


def client_for(world: World, persona: str) -> Client:
    """A client signed in as ``persona`` (anonymous: not signed in)."""
    client = Client()
    if persona != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    return client


def check(response: Any, expected: Expected, path: str) -> str | None:
    """What is wrong with ``response``, or None."""
    location = response.get("Location", "")
    if isinstance(expected, str):
        # SIGN_IN: back to this address after signing in; "sign-in:<next>": to <next>.
        wanted = redirect_to_login(expected.partition(":")[2] or path)["Location"]
        if response.status_code != 302 or location != wanted:
            return f"expected a redirect to {wanted}, got {response.status_code} {location}"
        return None
    if response.status_code != expected:
        return f"expected {expected}, got {response.status_code} {location}".rstrip()
    if expected == 302 and location.startswith(reverse("login")) and path != reverse("logout"):
        # A signed-in user may be sent on, but never back to sign in: that hides a refusal.
        return f"expected a redirect onwards, got one to sign in: {location}"
    return None


@pytest.mark.parametrize("row", ROWS, ids=[row.key for row in ROWS])
def test_url_answers_every_persona_as_the_rules_say(fresh_world: World, row: Row):
    world = fresh_world
    path = row.url(world)
    problems = []
    for persona, expected in row.get.items():
        problem = check(client_for(world, persona).get(path), expected, path)
        if problem:
            problems.append(f"{persona} GET {path}: {problem}")
    if row.post is not None:
        order = sorted(row.post, key=lambda persona: persona == row.last)
        for persona in order:
            response = client_for(world, persona).post(path, row.post_data)
            problem = check(response, row.post[persona], path)
            if problem:
                problems.append(f"{persona} POST {path}: {problem}")

    assert problems == [], f"{row.key}:\n" + "\n".join(problems)


def test_matrix_asks_every_persona():
    for row in ROWS:
        assert set(row.get) == set(PERSONAS), row.key
        if row.post is not None:
            expected = set(PERSONAS) - ({"sysadmin"} if row.key.startswith("admin:") else set())
            assert set(row.post) == expected, row.key


def test_confidential_rows_keep_body_as_readers_and_other_bodies_out():
    for key in (
        "programme:duty-detail (confidential)",
        "programme:evidence-download (confidential)",
        "programme:evidence-delete (confidential)",
    ):
        row = next(row for row in ROWS if row.key == key)
        assert row.get["reader_a"] == 404
        assert row.get["admin_b"] == 404
        assert row.get["admin_a"] == 200
        assert row.get["slk"] in (200, 403)


def test_the_world_has_what_the_rows_need(fresh_world: World):
    world = fresh_world
    assert world.confidential.confidentiality == Confidentiality.CONFIDENTIAL
    assert world.confidential_evidence.duty_record == world.confidential
    assert world.evidence.file.read() == PDF_BYTES
    assert set(world.sessions) == set(SIGNED_IN)
