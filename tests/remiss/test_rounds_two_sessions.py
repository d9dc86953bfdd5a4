"""A round and an invitation, each opened in two sessions and saved from both.

The first save goes through; the second, made from the same version, is refused with the
other person's changes listed, and the record keeps the first save.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from programme.models import Body
from remiss.models import Invitation, Referral
from tests.conftest import Cast
from tests.remiss.test_rounds import client_for, open_round, private_dir  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_dir")]

REFUSED = "Någon annan har sparat ändringar här efter att du öppnade sidan"


def referral_bodies_left(referral: Referral, cast: Cast) -> Body:
    """A body that exists this year and is neither body A nor body B."""
    body = (
        Body.objects.existing_in(referral.sent_on.year if referral.sent_on else 2024)
        .exclude(pk__in=[cast.body_a.pk, cast.body_b.pk])
        .order_by("name")
        .first()
    )
    assert body is not None
    return body


def test_adding_bodies_from_a_round_someone_changed_since_is_refused(cast: Cast):
    referral = open_round(cast, bodies=[cast.body_a])
    url = reverse("remiss:round-add-bodies", kwargs={"pk": referral.pk})
    first, second = client_for(cast.slk), client_for(cast.slk)
    seen = str(first.get(url).context["form"]["version"].value())
    assert str(second.get(url).context["form"]["version"].value()) == seen

    saved = first.post(url, {"bodies": [str(cast.body_b.pk)], "version": seen})
    other = referral_bodies_left(referral, cast)
    refused = second.post(url, {"bodies": [str(other.pk)], "version": seen})

    assert saved.status_code == 302
    assert refused.status_code == 200
    assert REFUSED in refused.content.decode()
    assert refused.context["conflict_changes"]
    assert Invitation.objects.filter(referral=referral).count() == 2
    assert str(other.pk) in refused.context["form"]["bodies"].value()
    assert Referral.objects.get(pk=referral.pk).version == int(seen) + 1


def test_declining_from_an_invitation_someone_changed_since_is_refused(cast: Cast):
    referral = open_round(cast, bodies=[cast.body_a])
    invitation = Invitation.objects.get(referral=referral)
    url = reverse("remiss:round-decline", kwargs={"pk": referral.pk, "slug": "jarva"})
    first, second = client_for(cast.admin_a), client_for(cast.admin_a)
    first.get(url)
    second.get(url)

    def posted(reason: str) -> dict[str, str]:
        return {
            "jarva-reason": reason,
            "jarva-reason_confidentiality": "internal",
            "jarva-version": str(invitation.version),
        }

    saved = first.post(url, posted("Första skälet."))
    refused = second.post(url, posted("Andra skälet."))

    assert saved.status_code == 302
    assert refused.status_code == 200
    page = refused.content.decode()
    assert REFUSED in page
    assert "Första skälet." in page
    assert "Andra skälet." in page
    assert Invitation.objects.get(pk=invitation.pk).decline_reason == "Första skälet."
