"""The Django admin: only the system administrator role opens it, in Swedish.

Everyone else, SLK included, gets 403 from every admin address; an anonymous visitor is
sent to the site's sign-in page. Memberships changed in the admin move the object
permissions on the body with them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from programme import access
from programme.models import BodyRole, BodyUserObjectPermission, Membership
from tests.conftest import PERSONAS, Cast

pytestmark = pytest.mark.django_db

NOT_ADMINISTRATORS = [name for name in PERSONAS if name not in {"sysadmin", "anonymous"}]
ADMIN_PAGES = [
    "admin:index",
    "admin:auth_user_changelist",
    "admin:programme_membership_changelist",
    "admin:programme_membership_add",
    "admin:programme_globalrole_changelist",
    "admin:axes_accessattempt_changelist",
]


def text_of(response: Any) -> str:
    """The response body as text, with runs of whitespace collapsed."""
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize("persona", NOT_ADMINISTRATORS)
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_refuses_every_other_signed_in_persona(
    client: Client, cast: Cast, persona: str, page: str
):
    client.force_login(cast.by_name(persona))

    assert client.get(reverse(page)).status_code == 403
    assert client.post(reverse(page), {}).status_code == 403


@pytest.mark.parametrize("persona", NOT_ADMINISTRATORS)
def test_admin_cannot_be_entered_through_its_own_sign_in_page(
    client: Client, cast: Cast, persona: str
):
    client.force_login(cast.by_name(persona))

    assert client.get(reverse("admin:login")).status_code == 403


def test_admin_refuses_a_member_of_staff_without_the_role(client: Client, cast: Cast):
    # is_staff alone, set by hand, does not open the admin: the role decides.
    cast.slk.is_staff = True
    cast.slk.save(update_fields=["is_staff"])
    client.force_login(cast.slk)

    assert client.get(reverse("admin:index")).status_code == 403


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_sends_anonymous_visitors_to_the_sites_sign_in_page(client: Client, page: str):
    url = reverse(page)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_admins_own_sign_in_page_sends_anonymous_visitors_to_the_sites(client: Client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('admin:index')}"


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_system_administrator_opens_every_admin_page(client: Client, cast: Cast, page: str):
    client.force_login(cast.sysadmin)

    assert client.get(reverse(page)).status_code == 200


def test_system_administrator_sees_users_memberships_and_roles_in_swedish(
    client: Client, cast: Cast
):
    client.force_login(cast.sysadmin)

    page = text_of(client.get(reverse("admin:index")))

    for name in ("Användare", "Medlemskap", "Globala roller", "Inloggningsförsök"):
        assert f">{name}</a>" in page, name
    assert "Systemadministration" in page
    # Bodies and their records are kept in the product's pages, not here; nor are groups.
    assert "/admin/programme/body/" not in page
    assert "/admin/programme/dutyrecord/" not in page
    assert "/admin/auth/group/" not in page


def test_system_administrator_role_carries_no_other_permission(cast: Cast):
    sysadmin = cast.sysadmin

    assert sysadmin.has_perm("programme.add_membership")
    assert sysadmin.has_perm("axes.delete_accessattempt")
    assert not sysadmin.has_perm("programme.change_body")
    assert not sysadmin.has_perm("auth.change_group")
    assert not sysadmin.has_perm(access.VIEW_RECORDS, cast.body_a)
    assert not access.bodies_for(sysadmin, access.Action.VIEW).exists()
    assert not cast.slk.has_perm("programme.add_membership")
    assert not cast.admin_a.has_perm("auth.change_user")


def test_membership_added_and_removed_in_the_admin_moves_the_body_permission(
    client: Client, cast: Cast
):
    client.force_login(cast.sysadmin)
    newcomer = cast.no_role

    added = client.post(
        reverse("admin:programme_membership_add"),
        {"user": newcomer.pk, "body": cast.body_b.pk, "role": BodyRole.ADMINISTRATOR},
    )

    assert added.status_code == 302
    membership = Membership.objects.get(user=newcomer)
    assert list(access.bodies_for(newcomer, access.Action.VIEW)) == [cast.body_b]
    assert list(access.bodies_for(newcomer, access.Action.CHANGE)) == [cast.body_b]

    changed = client.post(
        reverse("admin:programme_membership_change", args=[membership.pk]),
        {
            "user": newcomer.pk,
            "body": cast.body_b.pk,
            "role": BodyRole.READER,
            "seen_version": membership.version,
        },
    )

    assert changed.status_code == 302
    assert list(access.bodies_for(newcomer, access.Action.VIEW)) == [cast.body_b]
    assert not access.bodies_for(newcomer, access.Action.CHANGE).exists()

    removed = client.post(
        reverse("admin:programme_membership_delete", args=[membership.pk]), {"post": "yes"}
    )

    assert removed.status_code == 302
    assert not Membership.objects.filter(user=newcomer).exists()
    assert not access.bodies_for(newcomer, access.Action.VIEW).exists()
    assert not BodyUserObjectPermission.objects.filter(user=newcomer).exists()


def test_a_membership_changed_in_the_admin_from_an_old_version_is_refused(
    client: Client, cast: Cast
):
    client.force_login(cast.sysadmin)
    membership = Membership.objects.get(user=cast.reader_a)
    url = reverse("admin:programme_membership_change", args=[membership.pk])
    seen = membership.version
    # Another system administrator makes the reader an administrator meanwhile.
    first = client.post(
        url,
        {
            "user": cast.reader_a.pk,
            "body": cast.body_a.pk,
            "role": BodyRole.ADMINISTRATOR,
            "seen_version": seen,
        },
    )
    assert first.status_code == 302

    second = client.post(
        url,
        {
            "user": cast.reader_a.pk,
            "body": cast.body_b.pk,
            "role": BodyRole.READER,
            "seen_version": seen,
        },
    )

    assert second.status_code == 200
    page = second.content.decode()
    assert "Någon annan har sparat ändringar här" in page
    assert "Sam Systemadministratör: roll: läsare → administratör" in page
    membership.refresh_from_db()
    assert (membership.body, membership.role) == (cast.body_a, BodyRole.ADMINISTRATOR)
    assert membership.version == seen + 1


def test_system_administrator_cannot_make_anyone_a_superuser_or_grant_raw_permissions(
    client: Client, cast: Cast
):
    client.force_login(cast.sysadmin)
    page = reverse("admin:auth_user_change", args=[cast.no_role.pk])

    form = client.get(page).content.decode()
    response = client.post(
        page,
        {
            "username": "no_role",
            "first_name": "Nils",
            "last_name": "Utanför",
            "email": "",
            "is_active": "on",
            "is_superuser": "on",
            "is_staff": "on",
            "global_roles-TOTAL_FORMS": "0",
            "global_roles-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )

    assert 'name="is_superuser"' not in form
    assert 'name="user_permissions"' not in form
    assert 'name="groups"' not in form
    assert response.status_code == 302
    cast.no_role.refresh_from_db()
    assert not cast.no_role.is_superuser
    assert not cast.no_role.is_staff


def test_system_administrator_signs_out_of_the_admin_with_a_post(client: Client, cast: Cast):
    client.force_login(cast.sysadmin)

    refused = client.get(reverse("admin:logout"))
    signed_out = client.post(reverse("admin:logout"))

    assert refused.status_code == 405
    assert signed_out.status_code == 302
    assert signed_out["Location"] == reverse("login")
    assert client.get(reverse("admin:index")).status_code == 302


# In a real browser: the admin works under the site's strict Content-Security-Policy
