"""Shared fixtures for the whole test suite.

The shared world (the programme data from fixtures/ and the cast of personas) is built
once per test database, when pytest-django sets the database up, and committed: each
test then runs in a transaction that is rolled back, so it sees the world and never
another test's changes. ``loaded_data`` and ``cast`` only hand out what is there.

A test that asks for neither still starts on an empty database, as a freshly migrated
one: ``empty_database_unless_the_world_is_asked_for`` deletes the world inside the
test's own transaction (so the deletion is rolled back with it). A transactional test
(``transaction=True``, ``transactional_db``, ``live_server``) commits, and pytest-django
empties every table after it; ``pytest_runtest_teardown`` below builds the world again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import translation

from programme.models import Body, BodyRole, GlobalRole, GlobalRoleKind, Membership
from programme.services.fixtures import LoadResult, load_programme_data

# --- Which tests run on which database -------------------------------------------------------

# Markers of tests that run on PostgreSQL only (README, "Test it"): on SQLite they are
# deselected, not skipped, so a run on SQLite reports them and counts no skip.
POSTGRES_ONLY_MARKERS = ("browser", "postgres")
POSTGRES_ONLY_DESELECTED = pytest.StashKey[int]()


def on_sqlite() -> bool:
    """Whether the suite runs on SQLite (no DATABASE_URL, or a sqlite:// one)."""
    return str(settings.DATABASES["default"]["ENGINE"]).endswith("sqlite3")


def pytest_report_header(config: pytest.Config) -> str:
    """Say which database the run uses and what that leaves out."""
    if on_sqlite():
        return (
            "database: SQLite; tests marked browser or postgres are deselected here and run "
            "on PostgreSQL only (README, 'Test it')"
        )
    return "database: PostgreSQL; every test runs"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On SQLite, deselect the tests that run on PostgreSQL only."""
    if not on_sqlite():
        return
    kept: list[pytest.Item] = []
    postgres_only: list[pytest.Item] = []
    for item in items:
        marked = any(item.get_closest_marker(name) for name in POSTGRES_ONLY_MARKERS)
        (postgres_only if marked else kept).append(item)
    if postgres_only:
        config.hook.pytest_deselected(items=postgres_only)
        items[:] = kept
    config.stash[POSTGRES_ONLY_DESELECTED] = len(postgres_only)
    # Under pytest-xdist each worker collects; the controller prints what they report.
    if hasattr(config, "workeroutput"):
        config.workeroutput["postgres_only_deselected"] = len(postgres_only)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """Keep what a pytest-xdist worker deselected (every worker collects the same tests)."""
    count = getattr(node, "workeroutput", {}).get("postgres_only_deselected")
    if count is not None:
        node.config.stash[POSTGRES_ONLY_DESELECTED] = count


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """One clear line for the tests SQLite leaves to PostgreSQL."""
    count = config.stash.get(POSTGRES_ONLY_DESELECTED, 0)
    if count and not hasattr(config, "workeroutput"):
        terminalreporter.write_line(
            f"{count} tests marked browser or postgres deselected: on SQLite they do not "
            "run; they run on PostgreSQL (README, 'Test it')."
        )


@pytest.fixture(autouse=True)
def language_of_the_site() -> Iterator[None]:
    """Every test starts and ends in the site's language, whatever a test switched to."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Hash test passwords cheaply: the real hasher is slow on purpose, and tests make many."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass(frozen=True)
class Cast:
    """The fixed cast of test users, over two real district committees.

    ``body_a`` is Järva and ``body_b`` Skärholmen. Every persona of the access matrix is
    here: ``anonymous`` is None (use an unauthenticated client).
    """

    body_a: Body
    body_b: Body
    admin_a: User
    admin_b: User
    reader_a: User
    slk: User
    official: User
    no_role: User
    sysadmin: User

    def by_name(self, name: str) -> User:
        """The persona called ``name`` (one of PERSONAS except "anonymous")."""
        user: User = getattr(self, name)
        return user


# Every persona the access matrix knows, in the order it reports them.
PERSONAS = (
    "admin_a",
    "admin_b",
    "reader_a",
    "slk",
    "official",
    "no_role",
    "sysadmin",
    "anonymous",
)
PERSONA_PASSWORD = "ett-långt-lösenord-för-testerna"


def make_user(username: str, first_name: str, last_name: str) -> User:
    """A user with the shared test password (hashing is slow: set it once per user)."""
    return User.objects.create_user(
        username=username,
        password=PERSONA_PASSWORD,
        first_name=first_name,
        last_name=last_name,
    )


def build_cast() -> Cast:
    """The personas over the loaded data, with memberships and roles granted as the product does."""
    body_a = Body.objects.get(slug="jarva")
    body_b = Body.objects.get(slug="skarholmen")
    people = Cast(
        body_a=body_a,
        body_b=body_b,
        admin_a=make_user("admin_a", "Amira", "Järvaadministratör"),
        admin_b=make_user("admin_b", "Bengt", "Skärholmsadministratör"),
        reader_a=make_user("reader_a", "Rut", "Järvaläsare"),
        slk=make_user("slk", "Sara", "Stadsledningskontoret"),
        official=make_user("official", "Olle", "Tjänsteperson"),
        no_role=make_user("no_role", "Nils", "Utanför"),
        sysadmin=make_user("sysadmin", "Sam", "Systemadministratör"),
    )
    Membership.objects.create(user=people.admin_a, body=body_a, role=BodyRole.ADMINISTRATOR)
    Membership.objects.create(user=people.admin_b, body=body_b, role=BodyRole.ADMINISTRATOR)
    Membership.objects.create(user=people.reader_a, body=body_a, role=BodyRole.READER)
    GlobalRole.objects.create(user=people.slk, role=GlobalRoleKind.SLK_REVIEWER)
    GlobalRole.objects.create(user=people.official, role=GlobalRoleKind.OFFICIAL)
    GlobalRole.objects.create(user=people.sysadmin, role=GlobalRoleKind.SYSTEM_ADMINISTRATOR)
    return people


def existing_cast() -> Cast:
    """The cast the shared world holds, read back from the database (a few cheap queries)."""
    users = {user.username: user for user in User.objects.filter(username__in=CAST_USERNAMES)}
    return Cast(
        body_a=Body.objects.get(slug="jarva"),
        body_b=Body.objects.get(slug="skarholmen"),
        **{username: users[username] for username in CAST_USERNAMES},
    )


# The personas' usernames: a ``Cast`` field each.
CAST_USERNAMES = tuple(persona for persona in PERSONAS if persona != "anonymous")

# --- The shared world, built once per test database ---------------------------------------

FIXTURES_DIR = settings.BASE_DIR / "fixtures"


@dataclass
class SharedWorld:
    """What the session built: the load's result, the blocker, and what an empty database is."""

    result: LoadResult | None = None
    blocker: Any = None
    # The tables migrating fills (content types, permissions): emptying leaves them alone.
    migrated_tables: frozenset[str] = frozenset()


SHARED_WORLD = SharedWorld()


def model_tables() -> list[str]:
    """Every table a model (or a many-to-many relation) of the project owns, once each."""
    tables: dict[str, None] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables[model._meta.db_table] = None
    return list(tables)


def tables_with_rows() -> frozenset[str]:
    """The model tables that hold at least one row."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        filled = set()
        for table in model_tables():
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
            if cursor.fetchone():
                filled.add(table)
    return frozenset(filled)


def empty_database() -> None:
    """Delete every row the world or a test added, as if the database were just migrated.

    The foreign keys are deferred on both databases, so the order does not matter inside
    one transaction.
    """
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table in model_tables():
            if table not in SHARED_WORLD.migrated_tables:
                cursor.execute(f"DELETE FROM {quote(table)}")


def build_world() -> None:
    """Load the programme data and make the cast, into a freshly migrated database."""
    SHARED_WORLD.migrated_tables = tables_with_rows()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        SHARED_WORLD.result = load_programme_data(FIXTURES_DIR)
        build_cast()


def world_is_there() -> bool:
    """Whether the shared world is in the database (it is gone after a transactional test)."""
    return User.objects.filter(username=CAST_USERNAMES[-1]).exists()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """pytest-django's test database, with the shared world built in it once."""
    SHARED_WORLD.blocker = django_db_blocker
    with django_db_blocker.unblock():
        if world_is_there():
            # A database kept with --reuse-db still holds the last run's world.
            call_command("flush", interactive=False, verbosity=0)
        build_world()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After a transactional test has emptied the database, build the world again."""
    yield
    if nextitem is None or SHARED_WORLD.blocker is None:
        return
    with SHARED_WORLD.blocker.unblock():
        if not world_is_there():
            build_world()


WORLD_FIXTURES = {"loaded_data", "cast", "world"}


def is_transactional(request: pytest.FixtureRequest) -> bool:
    """Whether the test commits: a live server, ``transactional_db`` or ``transaction=True``."""
    marker = request.node.get_closest_marker("django_db")
    return (
        bool({"transactional_db", "live_server"} & set(request.fixturenames))
        or (marker is not None and bool(marker.kwargs.get("transaction")))
        or (marker is not None and len(marker.args) > 0 and bool(marker.args[0]))
    )


@pytest.fixture(autouse=True)
def empty_database_unless_the_world_is_asked_for(request: pytest.FixtureRequest) -> None:
    """A test that asks for no part of the world gets the empty database it always had."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    uses_database = marker is not None or bool({"db", "transactional_db", "live_server"} & names)
    if not uses_database or WORLD_FIXTURES & names:
        return
    if is_transactional(request):
        request.getfixturevalue("transactional_db")
    else:
        # Inside the test's transaction, so the world comes back when it is rolled back.
        request.getfixturevalue("db")
    empty_database()


@pytest.fixture
def loaded_data(db: None) -> LoadResult:
    """The real programme versions and bodies from fixtures/, already in the test database."""
    assert SHARED_WORLD.result is not None
    return SHARED_WORLD.result


@pytest.fixture
def cast(loaded_data: LoadResult) -> Cast:
    """The personas, with their memberships and roles granted the way the product does."""
    return existing_cast()
