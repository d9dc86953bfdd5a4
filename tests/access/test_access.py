"""The access module: permissions derived from memberships, and what each persona reaches."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm

from programme import access
from programme.access import Action
from programme.models import (
    Body,
    BodyGroupObjectPermission,
    BodyKind,
    BodyRole,
    BodyUserObjectPermission,
    Confidentiality,
    DutyKind,
    DutyRecord,
    EvidenceFile,
    GlobalRole,
    GlobalRoleKind,
    Membership,
)
from tests.conftest import PERSONAS, Cast, make_user

pytestmark = pytest.mark.django_db


def granted(user: User) -> set[tuple[str, str]]:
    """The (body slug, permission codename) pairs the user holds directly."""
    return set(
        BodyUserObjectPermission.objects.filter(user=user).values_list(
            "content_object__slug", "permission__codename"
        )
    )


def duty(body: Body, kind: DutyKind, level: Confidentiality, year: int = 2025) -> DutyRecord:
    return DutyRecord.objects.create(body=body, year=year, duty=kind, confidentiality=level)


@pytest.fixture
def records(cast: Cast) -> dict[str, DutyRecord]:
    """One record of each level in body A and an internal one in body B."""
    return {
        "a_open": duty(cast.body_a, DutyKind.SECURITY_COORDINATOR, Confidentiality.OPEN),
        "a_internal": duty(cast.body_a, DutyKind.CRISIS_PLAN, Confidentiality.INTERNAL),
        "a_confidential": duty(cast.body_a, DutyKind.RISK_ANALYSIS, Confidentiality.CONFIDENTIAL),
        "b_internal": duty(cast.body_b, DutyKind.CRISIS_PLAN, Confidentiality.INTERNAL),
    }


# The records of the ``records`` fixture by body and duty.
RECORD_NAMES: dict[tuple[str, str], str] = {
    ("jarva", DutyKind.SECURITY_COORDINATOR): "a_open",
    ("jarva", DutyKind.CRISIS_PLAN): "a_internal",
    ("jarva", DutyKind.RISK_ANALYSIS): "a_confidential",
    ("skarholmen", DutyKind.CRISIS_PLAN): "b_internal",
}


def visible(user: User, action: Action = Action.VIEW) -> set[str]:
    """The names (from the ``records`` fixture) of the duty records the user reaches."""
    rows = access.restrict(DutyRecord.objects.all(), user, action)
    return {RECORD_NAMES[row] for row in rows.values_list("body__slug", "duty")}


# --- Permissions follow memberships --------------------------------------------------------


def test_administrator_membership_grants_view_change_and_confidential_on_that_body(cast: Cast):
    assert granted(cast.admin_a) == {
        ("jarva", "view_body_records"),
        ("jarva", "change_body_records"),
        ("jarva", "view_confidential_records"),
    }


def test_reader_membership_grants_only_viewing(cast: Cast):
    assert granted(cast.reader_a) == {("jarva", "view_body_records")}


def test_changing_a_role_changes_the_grants_in_the_same_save(cast: Cast):
    membership = Membership.objects.get(user=cast.reader_a)
    membership.role = BodyRole.ADMINISTRATOR
    membership.save()

    assert ("jarva", "change_body_records") in granted(cast.reader_a)

    membership.role = BodyRole.READER
    membership.save()

    assert granted(cast.reader_a) == {("jarva", "view_body_records")}


def test_deleting_a_membership_removes_every_grant_it_gave(cast: Cast):
    Membership.objects.filter(user=cast.admin_a).delete()

    assert granted(cast.admin_a) == set()
    assert not access.bodies_for(cast.admin_a, Action.VIEW).exists()


def test_a_bulk_update_of_memberships_moves_the_grants_too(cast: Cast):
    Membership.objects.filter(user=cast.reader_a).update(role=BodyRole.ADMINISTRATOR)

    assert ("jarva", "change_body_records") in granted(cast.reader_a)

    Membership.objects.filter(user=cast.reader_a).update(user=cast.no_role)

    assert granted(cast.reader_a) == set()
    assert ("jarva", "view_confidential_records") in granted(cast.no_role)


def test_memberships_created_in_bulk_grant_at_once(cast: Cast):
    Membership.objects.bulk_create(
        [Membership(user=cast.official, body=cast.body_b, role=BodyRole.READER)]
    )

    assert granted(cast.official) == {("skarholmen", "view_body_records")}


def test_grants_live_in_the_direct_foreign_key_table_not_the_generic_one(cast: Cast):
    assert BodyUserObjectPermission.objects.count() == 3 + 3 + 1
    assert UserObjectPermission.objects.count() == 0


def test_a_rolled_back_membership_leaves_no_grant(cast: Cast):
    from django.db import transaction

    person = make_user("kim", "Kim", "Avbruten")
    with pytest.raises(RuntimeError), transaction.atomic():
        Membership.objects.create(user=person, body=cast.body_b, role=BodyRole.ADMINISTRATOR)
        raise RuntimeError("the save around it failed")

    assert granted(person) == set()


def test_a_group_permission_on_a_body_reaches_the_group_members(cast: Cast):
    group = Group.objects.create(name="Skärholmens läsare")
    cast.no_role.groups.add(group)
    assign_perm("programme.view_body_records", group, cast.body_b)

    assert BodyGroupObjectPermission.objects.filter(group=group).count() == 1
    assert list(access.bodies_for(cast.no_role, Action.VIEW)) == [cast.body_b]


def test_the_grants_read_in_one_query_are_what_guardian_answers(cast: Cast):
    # Grants straight to a person, through a group, on several bodies; a person whose
    # account is closed, and a global permission, which grants no body's records.
    from guardian.shortcuts import get_objects_for_user

    group = Group.objects.create(name="Läsare i två nämnder")
    cast.no_role.groups.add(group)
    cast.reader_a.groups.add(group)
    assign_perm("programme.view_body_records", group, cast.body_a)
    assign_perm("programme.view_body_records", group, cast.body_b)
    assign_perm("programme.view_confidential_records", cast.reader_a, cast.body_b)
    assign_perm("programme.change_body_records", cast.official)
    closed = make_user("stangd", "Stängd", "Konto")
    Membership.objects.create(user=closed, body=cast.body_a, role=BodyRole.ADMINISTRATOR)
    User.objects.filter(pk=closed.pk).update(is_active=False)

    named = (cast.by_name(name) for name in PERSONAS if name != "anonymous")
    people = [*named, User.objects.get(pk=closed.pk)]
    for person in people:
        for permission in sorted(access.BODY_PERMISSIONS):
            expected = set(
                get_objects_for_user(
                    person,
                    f"programme.{permission}",
                    klass=Body.objects.all(),
                    accept_global_perms=False,
                    with_superuser=False,
                ).values_list("pk", flat=True)
            )
            fresh = User.objects.get(pk=person.pk)
            if not fresh.is_active:
                # Guardian's answer does not look at the account; the door stays shut.
                assert expected
                expected = set()
            assert set(access.grants_of(fresh).bodies(permission)) == expected, (
                person.username,
                permission,
            )
    assert access.grants_of(User.objects.get(pk=cast.no_role.pk)).bodies(access.VIEW_RECORDS) == {
        cast.body_a.pk,
        cast.body_b.pk,
    }


def test_a_grant_changed_after_it_was_read_is_read_again(cast: Cast):
    user = User.objects.get(pk=cast.no_role.pk)
    assert access.grants_of(user).bodies(access.VIEW_RECORDS) == frozenset()

    membership = Membership.objects.create(user=user, body=cast.body_b, role=BodyRole.READER)
    assert set(access.bodies_for(user, Action.VIEW)) == {cast.body_b}

    group = Group.objects.create(name="Järvas läsare")
    assign_perm("programme.view_body_records", group, cast.body_a)
    user.groups.add(group)
    assert set(access.bodies_for(user, Action.VIEW)) == {cast.body_a, cast.body_b}

    membership.delete()
    user.groups.remove(group)
    assert set(access.bodies_for(user, Action.VIEW)) == set()


def test_a_role_given_after_the_roles_were_read_is_read_again(cast: Cast):
    user = User.objects.get(pk=cast.no_role.pk)
    assert not access.is_official(user)

    role = GlobalRole.objects.create(user=user, role=GlobalRoleKind.OFFICIAL)
    assert access.is_official(user)
    assert access.global_roles(user) == {GlobalRoleKind.OFFICIAL}

    role.delete()
    assert not access.is_official(user)


def test_the_roles_and_the_grants_are_one_query(cast: Cast, django_assert_num_queries: Any):
    user = User.objects.get(pk=cast.admin_a.pk)
    with django_assert_num_queries(1):
        assert not access.is_slk_reviewer(user)
        assert access.can_change_records(user, cast.body_a)
        assert access.readable_body_ids(user, [cast.body_a, cast.body_b]) == {cast.body_a.pk}


# --- Bodies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "view", "change"),
    [
        ("admin_a", {"jarva"}, {"jarva"}),
        ("admin_b", {"skarholmen"}, {"skarholmen"}),
        ("reader_a", {"jarva"}, set()),
        ("slk", "all", set()),
        ("official", set(), set()),
        ("no_role", set(), set()),
        ("sysadmin", set(), set()),
    ],
)
def test_bodies_each_persona_may_view_and_change(
    cast: Cast, persona: str, view: Any, change: set[str]
):
    user = cast.by_name(persona)
    viewable = set(access.bodies_for(user, Action.VIEW).values_list("slug", flat=True))
    changeable = set(access.bodies_for(user, Action.CHANGE).values_list("slug", flat=True))

    expected_view = set(Body.objects.values_list("slug", flat=True)) if view == "all" else view
    assert viewable == expected_view
    assert changeable == change


def test_a_superuser_without_membership_reaches_no_body(cast: Cast, admin_user: User):
    assert not access.bodies_for(admin_user, Action.VIEW).exists()


def test_an_inactive_member_reaches_nothing(cast: Cast):
    cast.admin_a.is_active = False
    cast.admin_a.save()

    assert not access.bodies_for(cast.admin_a, Action.VIEW).exists()


def test_body_of_another_committee_is_404_and_a_read_only_body_is_403(cast: Cast):
    with pytest.raises(Http404):
        access.get_body_or_404(cast.admin_b, "jarva")
    with pytest.raises(PermissionDenied):
        access.get_body_or_404(cast.reader_a, "jarva", Action.CHANGE)
    with pytest.raises(PermissionDenied):
        access.get_body_or_404(cast.slk, "jarva", Action.CHANGE)

    assert access.get_body_or_404(cast.admin_a, "jarva", Action.CHANGE) == cast.body_a
    assert access.get_body_or_404(cast.slk, "skarholmen") == cast.body_b


# --- Records and their confidentiality ----------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin_a", {"a_open", "a_internal", "a_confidential"}),
        ("reader_a", {"a_open", "a_internal"}),
        ("admin_b", {"b_internal"}),
        ("slk", {"a_open", "a_internal", "a_confidential", "b_internal"}),
        ("official", set()),
        ("no_role", set()),
        ("sysadmin", set()),
    ],
)
def test_records_each_persona_may_view(
    cast: Cast, records: dict[str, DutyRecord], persona: str, expected: set[str]
):
    assert visible(cast.by_name(persona)) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin_a", {"a_open", "a_internal", "a_confidential"}),
        ("reader_a", set()),
        ("admin_b", {"b_internal"}),
        ("slk", set()),
    ],
)
def test_records_each_persona_may_change(
    cast: Cast, records: dict[str, DutyRecord], persona: str, expected: set[str]
):
    assert visible(cast.by_name(persona), Action.CHANGE) == expected


def test_evidence_follows_the_confidentiality_of_its_duty_record(
    cast: Cast, records: dict[str, DutyRecord]
):
    secret = EvidenceFile.objects.create(
        duty_record=records["a_confidential"],
        file="evidence/x",
        original_name="rsa.pdf",
        content_type="application/pdf",
        size=10,
    )

    evidence = EvidenceFile.objects.all()
    assert list(access.restrict(evidence, cast.admin_a)) == [secret]
    assert list(access.restrict(evidence, cast.slk)) == [secret]
    assert list(access.restrict(evidence, cast.reader_a)) == []
    assert list(access.restrict(evidence, cast.admin_b)) == []


def test_a_record_the_user_may_not_see_is_404_and_one_not_to_change_is_403(
    cast: Cast, records: dict[str, DutyRecord]
):
    secret_pk = records["a_confidential"].pk
    queryset = DutyRecord.objects.all()

    with pytest.raises(Http404):
        access.get_for_user_or_404(cast.reader_a, queryset, pk=secret_pk)
    with pytest.raises(Http404):
        access.get_for_user_or_404(cast.admin_b, queryset, Action.CHANGE, pk=secret_pk)
    with pytest.raises(PermissionDenied):
        access.get_for_user_or_404(cast.reader_a, queryset, Action.CHANGE, pk=records["a_open"].pk)
    assert access.get_for_user_or_404(cast.admin_a, queryset, Action.CHANGE, pk=secret_pk)


def _duty_records(cast: Cast) -> None:
    """An open and a confidential record of each of body A and body B."""
    DutyRecord.objects.bulk_create(
        DutyRecord(body=body, year=year, duty=DutyKind.SECURITY_COORDINATOR, confidentiality=level)
        for body in (cast.body_a, cast.body_b)
        for year, level in ((2024, Confidentiality.OPEN), (2025, Confidentiality.CONFIDENTIAL))
    )


def _seen(user: User) -> set[tuple[str, int]]:
    rows = access.restrict(DutyRecord.objects.all(), User.objects.get(pk=user.pk))
    return {(row.body.slug, row.year) for row in rows.select_related("body")}


def test_the_administrator_of_each_body_read_is_narrowed_by_no_level(cast: Cast):
    _duty_records(cast)
    where = str(access.restrict(DutyRecord.objects.all(), cast.admin_a).query).split("WHERE")[1]
    assert "confidentiality" not in where
    assert _seen(cast.admin_a) == {("jarva", 2024), ("jarva", 2025)}


def test_an_administrator_of_one_body_reading_another_sees_only_its_open_records(cast: Cast):
    _duty_records(cast)
    Membership.objects.create(user=cast.admin_a, body=cast.body_b, role=BodyRole.READER)
    where = str(access.restrict(DutyRecord.objects.all(), cast.admin_a).query).split("WHERE")[1]
    assert "confidentiality" in where
    assert _seen(cast.admin_a) == {("jarva", 2024), ("jarva", 2025), ("skarholmen", 2024)}
    assert _seen(cast.reader_a) == {("jarva", 2024)}


def test_a_model_without_a_body_cannot_be_restricted(cast: Cast):
    with pytest.raises(TypeError):
        access.restrict(Body.objects.all(), cast.admin_a)


# --- Cost -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin_a", "reader_a", "slk"])
def test_restricting_costs_one_query_however_many_records(
    cast: Cast, persona: str, django_assert_num_queries: Any
):
    user = cast.by_name(persona)
    # A worker process has served requests before: the content-type caches of Django and
    # guardian are warm, this request's user object is not. Without this the count hung
    # on which tests ran earlier in the process.
    access.restrict(DutyRecord.objects.none(), User.objects.get(pk=user.pk))
    access.global_roles(user)  # read once per request, as a page does
    DutyRecord.objects.bulk_create(
        DutyRecord(
            body=body,
            year=year,
            duty=kind,
            confidentiality=Confidentiality.CONFIDENTIAL if year % 2 else Confidentiality.OPEN,
        )
        for body in (cast.body_a, cast.body_b)
        for year in range(2000, 2084)
        for kind in DutyKind
    )

    # The user's grants were read with the roles, once per user object; then each
    # restricted read is one query.
    with django_assert_num_queries(1):
        rows = list(access.restrict(DutyRecord.objects.all(), user))
    with django_assert_num_queries(1):
        again = list(access.restrict(DutyRecord.objects.all(), user))

    assert len(rows) > 200
    assert again == rows


def test_global_roles_are_read_once_per_user_object(cast: Cast, django_assert_num_queries: Any):
    with django_assert_num_queries(1):
        assert access.is_slk_reviewer(cast.slk)
        assert not access.is_official(cast.slk)
        assert not access.is_system_administrator(cast.slk)


# --- Roles ----------------------------------------------------------------------------------


def test_system_administrator_role_alone_opens_the_admin_flag(cast: Cast):
    assert User.objects.get(pk=cast.sysadmin.pk).is_staff
    assert not User.objects.get(pk=cast.slk.pk).is_staff

    GlobalRole.objects.filter(user=cast.sysadmin).delete()

    assert not User.objects.get(pk=cast.sysadmin.pk).is_staff


def test_membership_changes_are_kept_in_the_history(cast: Cast):
    membership = Membership.objects.get(user=cast.reader_a)
    membership.role = BodyRole.ADMINISTRATOR
    membership.save()

    assert [entry.role for entry in membership.history.order_by("history_date")] == [
        BodyRole.READER,
        BodyRole.ADMINISTRATOR,
    ]
    assert GlobalRole.history.filter(role=GlobalRoleKind.SLK_REVIEWER).count() == 1


def test_a_general_report_holds_open_records_only(cast: Cast, records: dict[str, DutyRecord]):
    rows = access.for_general_report(DutyRecord.objects.all())

    assert {RECORD_NAMES[row] for row in rows.values_list("body__slug", "duty")} == {"a_open"}


@pytest.mark.parametrize("extra", [0, 300])
def test_readable_bodies_cost_one_query_however_many_bodies(
    cast: Cast, extra: int, django_assert_num_queries: Any
):
    Body.objects.bulk_create(
        Body(slug=f"extra-{index}", kind=BodyKind.COMPANY_BOARD, name=f"Extra AB {index}")
        for index in range(extra)
    )
    bodies = list(Body.objects.all())
    access.global_roles(cast.admin_a)
    # Read once per process and cached (the test run clears it between tests).
    ContentType.objects.get_for_model(Body)

    # The grants were read with the roles.
    with django_assert_num_queries(0):
        readable = access.readable_body_ids(cast.admin_a, bodies)
    with django_assert_num_queries(0):
        changeable = access.changeable_body_ids(cast.admin_a, bodies)

    assert readable == {cast.body_a.pk}
    assert changeable == {cast.body_a.pk}
