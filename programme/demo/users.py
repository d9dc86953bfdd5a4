"""Demo accounts, one per role, and a few duty records, so each role can be tried out.

``set_up_demo`` is what ``manage.py create_demo_user`` runs (and what ``scripts/start``
runs through it): it creates or resets every demo user with a fresh password, gives each
exactly its role, and adds demo duty records for the two demo bodies (one of them
confidential), so that every persona sees a difference. Running it again leaves one of
each and only changes the passwords.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from programme.models import (
    Body,
    BodyRole,
    Confidentiality,
    DutyKind,
    DutyRecord,
    DutyStatus,
    GlobalRole,
    GlobalRoleKind,
    Membership,
)
from programme.services.duties import save_duty_record

# The two district committees the demo members belong to.
DEMO_BODY_A = "jarva"
DEMO_BODY_B = "skarholmen"


class DemoDataMissing(Exception):
    """The programme data the demo builds on has not been loaded."""


@dataclass(frozen=True)
class DemoUser:
    """One demo account: its username, what it is for, and the one role it holds."""

    username: str
    description: str
    first_name: str
    last_name: str
    global_role: str | None = None
    body_slug: str | None = None
    body_role: str | None = None


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "jarva-administrator",
        "Administrator of Järva (changes its records, sees the confidential ones)",
        "Amira",
        "Järva",
        body_slug=DEMO_BODY_A,
        body_role=BodyRole.ADMINISTRATOR,
    ),
    DemoUser(
        "jarva-lasare",
        "Reader of Järva (reads its records, not the confidential ones)",
        "Rut",
        "Järva",
        body_slug=DEMO_BODY_A,
        body_role=BodyRole.READER,
    ),
    DemoUser(
        "skarholmen-administrator",
        "Administrator of Skärholmen (changes its records, sees the confidential ones)",
        "Bengt",
        "Skärholmen",
        body_slug=DEMO_BODY_B,
        body_role=BodyRole.ADMINISTRATOR,
    ),
    DemoUser(
        "skarholmen-lasare",
        "Reader of Skärholmen (reads its records, not the confidential ones)",
        "Siv",
        "Skärholmen",
        body_slug=DEMO_BODY_B,
        body_role=BodyRole.READER,
    ),
    DemoUser(
        "slk-granskare",
        "SLK reviewer (reads every body, maintains programme versions and bodies)",
        "Sara",
        "Stadsledningskontoret",
        global_role=GlobalRoleKind.SLK_REVIEWER,
    ),
    DemoUser(
        "tjansteperson",
        "Official (reads the programme and the published general reports)",
        "Olle",
        "Tjänsteperson",
        global_role=GlobalRoleKind.OFFICIAL,
    ),
    DemoUser(
        "systemadministrator",
        "System administrator (users and memberships in the admin)",
        "Sam",
        "Systemadministratör",
        global_role=GlobalRoleKind.SYSTEM_ADMINISTRATOR,
    ),
    DemoUser(
        "utan-roll",
        "User with no role (signed in, sees no body's records)",
        "Nils",
        "Utan roll",
    ),
)


@dataclass(frozen=True)
class DemoDuty:
    """A demo duty record of a demo body in the current year."""

    duty: str
    status: str
    confidentiality: str
    person_name: str = ""
    dated: bool = False
    description: str = ""


DEMO_DUTIES: dict[str, tuple[DemoDuty, ...]] = {
    DEMO_BODY_A: (
        DemoDuty(
            DutyKind.SECURITY_COORDINATOR,
            DutyStatus.MET,
            Confidentiality.OPEN,
            person_name="Karin Demo",
        ),
        DemoDuty(
            DutyKind.RISK_ANALYSIS,
            DutyStatus.IN_PROGRESS,
            Confidentiality.INTERNAL,
            description="Risk- och sårbarhetsanalysen revideras under våren (demo).",
        ),
        DemoDuty(
            DutyKind.CRISIS_PLAN,
            DutyStatus.MET,
            Confidentiality.CONFIDENTIAL,
            dated=True,
            description="Krisledningsplanen med larmlista och reservlokal (demo, sekretess).",
        ),
    ),
    DEMO_BODY_B: (
        DemoDuty(
            DutyKind.CRIME_PREVENTION_COORDINATOR,
            DutyStatus.MET,
            Confidentiality.OPEN,
            person_name="Johan Demo",
        ),
        DemoDuty(
            DutyKind.SITUATION_PICTURE,
            DutyStatus.MET,
            Confidentiality.INTERNAL,
            dated=True,
            description="Lägesbild över olyckor och brott i stadsdelen (demo).",
        ),
        DemoDuty(
            DutyKind.EXERCISES,
            DutyStatus.MET,
            Confidentiality.CONFIDENTIAL,
            dated=True,
            description="Övning av krisledningsstaben med skyddsobjekt (demo, sekretess).",
        ),
    ),
}


@dataclass(frozen=True)
class DemoCredentials:
    """A demo user as the command prints it."""

    demo: DemoUser
    password: str


def _demo_bodies() -> dict[str, Body]:
    """The demo bodies, which the programme data must have loaded."""
    bodies = {body.slug: body for body in Body.objects.filter(slug__in=DEMO_DUTIES)}
    missing = sorted(set(DEMO_DUTIES) - set(bodies))
    if missing:
        raise DemoDataMissing(
            f"The demo needs the bodies {', '.join(missing)}: run "
            "`manage.py load_programme_data` first."
        )
    return bodies


def reset_demo_user(demo: DemoUser, bodies: dict[str, Body]) -> tuple[User, str]:
    """Create the demo user or reset it to exactly its one role; return it and its new password."""
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        user, _created = User.objects.get_or_create(username=demo.username)
        user.set_password(password)
        user.first_name = demo.first_name
        user.last_name = demo.last_name
        # An address on a reserved domain (RFC 2606), so reminders show in the console
        # or e-mail files in development and can never reach anyone.
        user.email = f"{demo.username}@example.org"
        user.is_active = True
        user.is_superuser = False
        user.save()
        # Deleted one by one, so the signals bring permissions and admin access in line.
        for role in GlobalRole.objects.filter(user=user).exclude(role=demo.global_role or ""):
            role.delete()
        if demo.global_role:
            GlobalRole.objects.get_or_create(user=user, role=demo.global_role)
        wanted_body = bodies[demo.body_slug] if demo.body_slug else None
        for membership in Membership.objects.filter(user=user).select_related("body"):
            if membership.body != wanted_body or membership.role != demo.body_role:
                membership.delete()
        if wanted_body is not None and demo.body_role:
            Membership.objects.get_or_create(user=user, body=wanted_body, role=demo.body_role)
    return user, password


def add_demo_duties(bodies: dict[str, Body], authors: dict[str, User]) -> int:
    """Add the demo duty records of this year that are missing; return how many were added.

    Existing records are left alone, so running again adds nothing and keeps any change a
    demo user made.
    """
    year = timezone.localdate().year
    # A date this year that is not in the future, whatever day it is.
    day = max(datetime.date(year, 1, 1), timezone.localdate() - datetime.timedelta(days=30))
    added = 0
    for slug, duties in DEMO_DUTIES.items():
        body = bodies[slug]
        existing = set(
            DutyRecord.objects.filter(body=body, year=year).values_list("duty", flat=True)
        )
        for demo in duties:
            if demo.duty in existing:
                continue
            save_duty_record(
                user=authors[slug],
                body=body,
                year=year,
                duty=demo.duty,
                status=demo.status,
                confidentiality=demo.confidentiality,
                person_name=demo.person_name,
                completed_on=day if demo.dated else None,
                description=demo.description,
                seen_version=0,
            )
            added += 1
    return added


def set_up_demo() -> list[DemoCredentials]:
    """Create or reset every demo user and add the demo duty records; return the credentials."""
    bodies = _demo_bodies()
    credentials: list[DemoCredentials] = []
    authors: dict[str, User] = {}
    with transaction.atomic():
        for demo in DEMO_USERS:
            user, password = reset_demo_user(demo, bodies)
            credentials.append(DemoCredentials(demo, password))
            if demo.body_slug and demo.body_role == BodyRole.ADMINISTRATOR:
                authors[demo.body_slug] = user
        add_demo_duties(bodies, authors)
    return credentials
