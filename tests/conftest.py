"""Shared fixtures for the whole test suite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from programme.models import Body, BodyRole, GlobalRole, GlobalRoleKind, Membership
from programme.services.fixtures import LoadResult, load_programme_data


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Hash test passwords cheaply: the real hasher is slow on purpose, and tests make many."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def loaded_data(db: None) -> LoadResult:
    """The real programme versions and bodies from fixtures/, loaded into the test database."""
    return load_programme_data(settings.BASE_DIR / "fixtures")


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


@pytest.fixture
def cast(loaded_data: LoadResult) -> Cast:
    """The personas, with their memberships and roles granted the way the product does."""
    return build_cast()
