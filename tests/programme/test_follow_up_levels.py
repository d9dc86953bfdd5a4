"""A follow-up's texts carry levels: internal unless the body says otherwise.

The narrative, the situation picture and the council goal's judgement each have one. A
reader of the body does not see a confidential one; a general report shows only open
ones and counts open and internal ones.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from programme import access
from programme.access import GeneralUse
from programme.models import Confidentiality, FollowUp
from programme.services import follow_ups as follow_up_services
from tests.conftest import Cast
from tests.programme.test_follow_up_views import (
    client_for,
    form_data,
    text_of,
    url,
    world,  # noqa: F401 - the fixture
)

pytestmark = pytest.mark.django_db


def test_a_new_follow_ups_texts_are_internal(cast: Cast, world):  # noqa: F811
    follow_up = FollowUp.objects.get(pk=world.follow_up_a.pk)

    assert {getattr(follow_up, level) for level in FollowUp.text_levels.values()} == {
        Confidentiality.INTERNAL
    }


def test_the_body_sets_each_texts_level_and_a_reader_does_not_see_a_confidential_one(
    cast: Cast,
    world,  # noqa: F811
):
    follow_up_services.add_missing_rows(cast.admin_a, world.follow_up_a)
    admin = client_for(cast, "admin_a")
    data = form_data(admin.get(url("follow-up-edit")))
    data.update(
        narrative="Berättelsen som alla får läsa.",
        narrative_confidentiality=Confidentiality.OPEN,
        situation_picture="Lägesbilden med känsliga platser.",
        situation_picture_confidentiality=Confidentiality.CONFIDENTIAL,
    )

    saved = admin.post(url("follow-up-edit"), data)

    assert saved.status_code == 302
    follow_up = FollowUp.objects.get(pk=world.follow_up_a.pk)
    assert follow_up.narrative_confidentiality == Confidentiality.OPEN
    assert follow_up.situation_picture_confidentiality == Confidentiality.CONFIDENTIAL
    reader_page = text_of(client_for(cast, "reader_a").get(url("follow-up-detail")))
    admin_page = text_of(admin.get(url("follow-up-detail")))
    slk_page = text_of(client_for(cast, "slk").get(url("follow-up-detail")))
    assert "Berättelsen som alla får läsa." in reader_page
    assert "känsliga platser" not in reader_page
    assert "Lägesbild" not in reader_page  # not even its heading
    assert "känsliga platser" in admin_page
    assert "känsliga platser" in slk_page
    assert "Vem som får läsa den: Konfidentiell" in admin_page
    # A general report shows the open text and nothing of the confidential one.
    assert access.general_text(follow_up, "narrative") == "Berättelsen som alla får läsa."
    assert access.general_text(follow_up, "situation_picture", GeneralUse.COUNTED) == ""


def test_a_level_that_is_not_one_of_the_options_is_refused(cast: Cast, world):  # noqa: F811
    follow_up_services.add_missing_rows(cast.admin_a, world.follow_up_a)
    admin = client_for(cast, "admin_a")
    data = form_data(admin.get(url("follow-up-edit")))
    data["narrative_confidentiality"] = "public"

    response = admin.post(url("follow-up-edit"), data)

    assert response.status_code == 200
    assert FollowUp.objects.get(pk=world.follow_up_a.pk).narrative_confidentiality == (
        Confidentiality.INTERNAL
    )


def test_the_service_checks_the_levels_itself(cast: Cast, world):  # noqa: F811
    follow_up = world.follow_up_a
    follow_up_services.add_missing_rows(cast.admin_a, follow_up)

    with pytest.raises(ValidationError) as refused:
        follow_up_services.save_follow_up(
            cast.admin_a,
            follow_up,
            follow_up.version,
            follow_up_services.FollowUpInput(narrative_confidentiality="secret"),
        )

    assert "narrative_confidentiality" in refused.value.message_dict
    assert FollowUp.objects.get(pk=follow_up.pk).version == follow_up.version


def test_a_text_made_confidential_later_shows_no_past_value_in_the_readers_history(
    cast: Cast,
    world,  # noqa: F811
):
    follow_up_services.add_missing_rows(cast.admin_a, world.follow_up_a)
    admin = client_for(cast, "admin_a")
    for text, level in (
        ("Första versionen", Confidentiality.INTERNAL),
        ("Andra versionen", Confidentiality.INTERNAL),
        ("Andra versionen", Confidentiality.CONFIDENTIAL),
    ):
        data = form_data(admin.get(url("follow-up-edit")))
        data.update(narrative=text, narrative_confidentiality=level)
        assert admin.post(url("follow-up-edit"), data).status_code == 302

    reader_page = text_of(client_for(cast, "reader_a").get(url("follow-up-detail")))
    admin_page = text_of(admin.get(url("follow-up-detail")))

    assert "Första versionen" not in reader_page
    assert "Andra versionen" not in reader_page
    assert "Första versionen → Andra versionen" in admin_page
