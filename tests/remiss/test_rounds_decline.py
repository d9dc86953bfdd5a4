"""A body that declined takes it back while the round is open; the round page's links."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programme.locking import EditConflict
from programme.models import Confidentiality
from remiss.models import Invitation, ReferralState, Response
from remiss.services import rounds as round_services
from tests.conftest import Cast
from tests.remiss.test_rounds import client_for, open_round, private_dir  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_dir")]


def _declined(cast: Cast) -> Invitation:
    referral = open_round(cast, bodies=[cast.body_a])
    invitation = Invitation.objects.get(referral=referral, body=cast.body_a)
    return round_services.decline(
        user=cast.admin_a, invitation=invitation, seen_version=1, reason="Inga synpunkter."
    )


def _url(invitation: Invitation) -> str:
    return reverse(
        "remiss:round-withdraw-decline",
        kwargs={"pk": invitation.referral_id, "slug": invitation.body.slug},
    )


def test_an_administrator_takes_back_the_decline(cast: Cast):
    invitation = _declined(cast)
    round_page = client_for(cast.admin_a).get(
        reverse("remiss:round-detail", kwargs={"pk": invitation.referral_id})
    )
    assert f'href="{_url(invitation)}"' in round_page.content.decode()
    page = client_for(cast.admin_a).get(_url(invitation))
    assert "Inga synpunkter." in page.content.decode()

    response = client_for(cast.admin_a).post(_url(invitation), {"version": invitation.version})

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (invitation.declined, invitation.decline_reason, invitation.version) == (False, "", 3)
    # The body may decline or answer again: the decline form is back on the round page.
    again = client_for(cast.admin_a).get(
        reverse("remiss:round-detail", kwargs={"pk": invitation.referral_id})
    )
    assert [item for item, _form in again.context["decline_forms"]] == [invitation]
    # The history keeps the decline and its reason.
    assert "Inga synpunkter." in invitation.history.values_list("decline_reason", flat=True)


def test_taking_back_from_a_page_seen_before_a_change_is_refused(cast: Cast):
    invitation = _declined(cast)

    with pytest.raises(EditConflict):
        round_services.withdraw_decline(user=cast.admin_a, invitation=invitation, seen_version=1)
    stale = client_for(cast.admin_a).post(_url(invitation), {"version": "1"})

    assert stale.status_code == 200
    assert stale.context["conflict_changes"] is not None
    invitation.refresh_from_db()
    assert invitation.declined


def test_a_closed_round_keeps_the_decline(cast: Cast):
    invitation = _declined(cast)
    invitation.referral.state = ReferralState.CLOSED
    invitation.referral.save()

    with pytest.raises(ValidationError):
        round_services.withdraw_decline(
            user=cast.admin_a, invitation=invitation, seen_version=invitation.version
        )
    page = client_for(cast.admin_a).get(_url(invitation))
    assert page.context["may_withdraw"] is False


def test_a_body_that_did_not_decline_has_nothing_to_take_back(cast: Cast):
    referral = open_round(cast, bodies=[cast.body_a])
    invitation = Invitation.objects.get(referral=referral, body=cast.body_a)

    with pytest.raises(ValidationError):
        round_services.withdraw_decline(user=cast.admin_a, invitation=invitation, seen_version=1)
    assert client_for(cast.admin_a).get(_url(invitation)).context["may_withdraw"] is False


def test_only_the_bodys_administrators_take_a_decline_back(cast: Cast):
    invitation = _declined(cast)

    assert client_for(cast.reader_a).post(_url(invitation), {"version": "2"}).status_code == 403
    assert client_for(cast.slk).post(_url(invitation), {"version": "2"}).status_code == 403
    assert client_for(cast.admin_b).post(_url(invitation), {"version": "2"}).status_code == 404
    invitation.refresh_from_db()
    assert invitation.declined


def test_a_reader_gets_no_link_to_a_response_it_may_not_open(cast: Cast):
    referral = open_round(cast, bodies=[cast.body_a])
    Response.objects.filter(referral=referral, body=cast.body_a).update(
        confidentiality=Confidentiality.CONFIDENTIAL
    )
    response_url = reverse(
        "remiss:response-detail", kwargs={"referral": referral.pk, "slug": cast.body_a.slug}
    )
    round_url = reverse("remiss:round-detail", kwargs={"pk": referral.pk})

    reader = client_for(cast.reader_a).get(round_url).content.decode()
    admin = client_for(cast.admin_a).get(round_url).content.decode()

    assert f'href="{response_url}"' not in reader
    assert client_for(cast.reader_a).get(response_url).status_code == 404
    assert f'href="{response_url}"' in admin
    assert client_for(cast.admin_a).get(response_url).status_code == 200
