"""The demo users command: one working account per role, reset on every run, with demo records."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from programme import access
from programme.demo.users import DEMO_BODY_A, DEMO_BODY_B, DEMO_DUTIES, DEMO_USERS
from programme.models import (
    Body,
    BodyRole,
    Confidentiality,
    DutyRecord,
    GlobalRole,
    GlobalRoleKind,
    Membership,
)
from programme.services.fixtures import LoadResult

USERNAMES = [demo.username for demo in DEMO_USERS]


def run_command() -> tuple[str, dict[str, str]]:
    """Run the command; return its output and the password it printed for each user."""
    out = StringIO()
    call_command("create_demo_user", stdout=out)
    output = out.getvalue()
    passwords = dict(re.findall(r"username: (\S+)\s+password: (\S+)", output))
    assert sorted(passwords) == sorted(USERNAMES), output
    return output, passwords


def signs_in(username: str, password: str) -> bool:
    """Whether the real sign-in page lets ``username`` in with ``password``."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def user(username: str) -> User:
    return User.objects.get(username=username)


def test_there_is_one_demo_user_per_role() -> None:
    memberships = {(demo.body_slug, demo.body_role) for demo in DEMO_USERS if demo.body_slug}
    global_roles = {demo.global_role for demo in DEMO_USERS if demo.global_role}

    assert memberships == {
        (DEMO_BODY_A, BodyRole.ADMINISTRATOR),
        (DEMO_BODY_A, BodyRole.READER),
        (DEMO_BODY_B, BodyRole.ADMINISTRATOR),
        (DEMO_BODY_B, BodyRole.READER),
    }
    assert global_roles == set(GlobalRoleKind.values)
    assert any(not demo.body_slug and not demo.global_role for demo in DEMO_USERS)
    assert len(set(USERNAMES)) == len(USERNAMES)


def test_every_printed_password_signs_its_user_in_on_the_sign_in_page(
    loaded_data: LoadResult,
) -> None:
    _output, passwords = run_command()

    for username, password in passwords.items():
        assert signs_in(username, password), username


def test_output_gives_the_address_then_each_users_description_and_credentials(
    loaded_data: LoadResult,
) -> None:
    output, passwords = run_command()

    lines = output.splitlines()
    assert lines[0] == "Sign in at http://127.0.0.1:8000/"
    for index, demo in enumerate(DEMO_USERS):
        assert lines[1 + 3 * index : 4 + 3 * index] == [
            f"  {demo.description}",
            f"    username: {demo.username}",
            f"    password: {passwords[demo.username]}",
        ]
    assert len(lines) == 1 + 3 * len(DEMO_USERS)


def test_running_twice_leaves_one_of_each_with_only_the_new_passwords(
    loaded_data: LoadResult,
) -> None:
    _output, first = run_command()
    records_after_first = DutyRecord.objects.count()
    _output, second = run_command()

    assert get_user_model().objects.filter(username__in=USERNAMES).count() == len(DEMO_USERS)
    assert Membership.objects.filter(user__username__in=USERNAMES).count() == 4
    assert GlobalRole.objects.filter(user__username__in=USERNAMES).count() == 3
    assert DutyRecord.objects.count() == records_after_first == 6
    for username in USERNAMES:
        assert first[username] != second[username]
        assert not signs_in(username, first[username])
        assert signs_in(username, second[username])


def test_each_demo_user_gets_exactly_its_role_back(loaded_data: LoadResult) -> None:
    run_command()
    reader = user("jarva-lasare")
    GlobalRole.objects.create(user=reader, role=GlobalRoleKind.SLK_REVIEWER)
    Membership.objects.create(
        user=reader, body=Body.objects.get(slug=DEMO_BODY_B), role=BodyRole.ADMINISTRATOR
    )
    Membership.objects.filter(user__username="skarholmen-administrator").update(
        role=BodyRole.READER
    )

    run_command()

    assert list(GlobalRole.objects.filter(user=reader)) == []
    assert [(m.body.slug, m.role) for m in Membership.objects.filter(user=reader)] == [
        (DEMO_BODY_A, BodyRole.READER)
    ]
    assert Membership.objects.get(user__username="skarholmen-administrator").role == (
        BodyRole.ADMINISTRATOR
    )


def test_demo_users_can_do_what_their_role_allows_and_no_more(loaded_data: LoadResult) -> None:
    run_command()
    jarva = Body.objects.get(slug=DEMO_BODY_A)
    skarholmen = Body.objects.get(slug=DEMO_BODY_B)

    assert access.can_change_records(user("jarva-administrator"), jarva)
    assert not access.can_change_records(user("jarva-administrator"), skarholmen)
    assert list(access.bodies_for(user("jarva-lasare"), access.Action.VIEW)) == [jarva]
    assert not access.can_change_records(user("jarva-lasare"), jarva)
    assert access.can_change_records(user("skarholmen-administrator"), skarholmen)
    assert list(access.bodies_for(user("skarholmen-lasare"), access.Action.VIEW)) == [skarholmen]
    assert access.is_slk_reviewer(user("slk-granskare"))
    assert access.is_official(user("tjansteperson"))
    assert access.is_system_administrator(user("systemadministrator"))
    for username in ("slk-granskare", "tjansteperson", "systemadministrator", "utan-roll"):
        assert not access.bodies_for(user(username), access.Action.CHANGE).exists(), username
    for username in ("tjansteperson", "systemadministrator", "utan-roll"):
        assert not access.bodies_for(user(username), access.Action.VIEW).exists(), username


def test_only_the_system_administrator_reaches_the_admin(loaded_data: LoadResult) -> None:
    run_command()
    # A second run saves every user again; the admin access must survive it.
    run_command()

    assert not get_user_model().objects.filter(username__in=USERNAMES, is_superuser=True).exists()
    assert list(
        get_user_model()
        .objects.filter(username__in=USERNAMES, is_staff=True)
        .values_list("username", flat=True)
    ) == ["systemadministrator"]
    for username in USERNAMES:
        client = Client()
        client.force_login(user(username))
        expected = 200 if username == "systemadministrator" else 403
        assert client.get(reverse("admin:index")).status_code == expected, username


def test_demo_bodies_have_duty_records_with_a_confidential_one_each(
    loaded_data: LoadResult,
) -> None:
    run_command()

    for slug in (DEMO_BODY_A, DEMO_BODY_B):
        body = Body.objects.get(slug=slug)
        records = DutyRecord.objects.filter(body=body)
        assert records.count() == len(DEMO_DUTIES[slug])
        assert records.filter(confidentiality=Confidentiality.CONFIDENTIAL).count() == 1
        assert all(record.history.exists() for record in records)


def test_each_persona_sees_a_different_set_of_demo_records(loaded_data: LoadResult) -> None:
    run_command()

    def visible(username: str) -> set[tuple[str, str]]:
        rows = access.restrict(DutyRecord.objects.all(), user(username))
        return set(rows.values_list("body__slug", "confidentiality"))

    everything = set(DutyRecord.objects.values_list("body__slug", "confidentiality"))
    assert visible("slk-granskare") == everything
    assert visible("jarva-administrator") == {
        (DEMO_BODY_A, level) for level in Confidentiality.values
    }
    assert visible("jarva-lasare") == {
        (DEMO_BODY_A, Confidentiality.OPEN),
        (DEMO_BODY_A, Confidentiality.INTERNAL),
    }
    assert visible("skarholmen-lasare") == {
        (DEMO_BODY_B, Confidentiality.OPEN),
        (DEMO_BODY_B, Confidentiality.INTERNAL),
    }
    for username in ("tjansteperson", "systemadministrator", "utan-roll"):
        assert visible(username) == set(), username


def test_without_the_programme_data_the_command_says_what_to_run(db: None) -> None:
    with pytest.raises(CommandError, match="load_programme_data"):
        call_command("create_demo_user", stdout=StringIO())

    assert not get_user_model().objects.filter(username__in=USERNAMES).exists()


def test_demo_users_have_addresses_that_cannot_reach_anyone(loaded_data: LoadResult) -> None:
    run_command()

    addresses = {demo.username: user(demo.username).email for demo in DEMO_USERS}

    # Reminders to the demo administrators show in development; example.org is reserved.
    assert addresses["jarva-administrator"] == "jarva-administrator@example.org"
    assert all(address.endswith("@example.org") for address in addresses.values())
