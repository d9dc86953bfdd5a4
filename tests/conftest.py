"""Shared fixtures for the whole test suite.

The shared world (the programme data from fixtures/ and the cast of personas) is built
once per test database, when pytest-django sets the database up, and committed: each
test then runs in a transaction that is rolled back, so it sees the world and never
another test's changes. ``loaded_data`` and ``cast`` only hand out what is there.

A test that asks for neither still starts on an empty database, as a freshly migrated
one: ``empty_database_unless_the_world_is_asked_for`` deletes the world inside the
test's own transaction (so the deletion is rolled back with it). A transactional test
(``transaction=True``, ``transactional_db``, ``live_server``) commits; after it, instead of
Django's flush (a TRUNCATE of every table, then content types and permissions made
again), every table is emptied and the world put back from a copy taken when it was first
built, in one transaction (``restore_world``): the same end state, in a tenth of the time
of flushing, loading the fixtures and making the cast again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.test import TransactionTestCase, override_settings
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
def empty_fragment_cache() -> None:
    """Every test starts with no rendered fragment kept: the database is rolled back after
    each test (on SQLite its ids are used again), and the fragments kept by one test's
    records must not be served to the next test's."""
    for kept in caches.all():
        kept.clear()


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
    # The tables that held rows once the world was built, each copied (world_copy_of).
    copied_tables: tuple[str, ...] = ()


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


# Where the copy of the world lives: on PostgreSQL a schema of its own, beside the models'
# tables but out of Django's sight; on SQLite (an in-memory test database, whose one
# connection lasts the session) temporary tables, which the schema never lists.
WORLD_COPY_SCHEMA = "world_copy"


def world_copy_of(table: str) -> str:
    """The quoted name of the table that keeps ``table``'s rows of the world."""
    quote = connection.ops.quote_name
    if on_sqlite():
        return f"temp.{quote(WORLD_COPY_SCHEMA + '__' + table)}"
    return f"{quote(WORLD_COPY_SCHEMA)}.{quote(table)}"


def copy_world() -> None:
    """Copy every row of the world just built, table by table, inside the database."""
    quote = connection.ops.quote_name
    copied = []
    with transaction.atomic(), connection.cursor() as cursor:
        if not on_sqlite():
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote(WORLD_COPY_SCHEMA)} CASCADE")
            cursor.execute(f"CREATE SCHEMA {quote(WORLD_COPY_SCHEMA)}")
        for table in tables_with_rows():
            copy = world_copy_of(table)
            cursor.execute(f"DROP TABLE IF EXISTS {copy}")
            cursor.execute(f"CREATE TABLE {copy} AS SELECT * FROM {quote(table)}")
            copied.append(table)
    SHARED_WORLD.copied_tables = tuple(copied)


def restore_world() -> None:
    """Put the world back as it was built: the same rows, ids included, and nothing else.

    Content types and permissions too: emptying the database made them again under new
    ids, which the world's rows do not point to.
    """
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table in model_tables():
            cursor.execute(f"DELETE FROM {quote(table)}")
        for table in SHARED_WORLD.copied_tables:
            cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {world_copy_of(table)}")
    ContentType.objects.clear_cache()


FLUSH_AFTER_A_TRANSACTIONAL_TEST = TransactionTestCase._fixture_teardown  # type: ignore[attr-defined]


def restore_instead_of_flushing(test_case: TransactionTestCase) -> None:
    """End a transactional test by putting the world back, where Django would flush.

    Only the default database holds the world; any other is flushed as Django does.
    """
    databases = set(test_case._databases_names(include_mirrors=False))  # type: ignore[attr-defined]
    if databases == {DEFAULT_DB_ALIAS} and SHARED_WORLD.copied_tables:
        restore_world()
    else:
        FLUSH_AFTER_A_TRANSACTIONAL_TEST(test_case)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """pytest-django's test database, with the shared world built in it once, and copied."""
    SHARED_WORLD.blocker = django_db_blocker
    with django_db_blocker.unblock():
        if world_is_there():
            # A database kept with --reuse-db still holds the last run's world.
            call_command("flush", interactive=False, verbosity=0)
        build_world()
        copy_world()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", restore_instead_of_flushing)
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Should a test have left the database without the world, put the world back."""
    yield
    if nextitem is None or SHARED_WORLD.blocker is None:
        return
    with SHARED_WORLD.blocker.unblock():
        if not world_is_there():
            restore_world() if SHARED_WORLD.copied_tables else build_world()


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
