"""The rules of the programme model that the database itself enforces, and its helpers."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from programme.models import (
    Body,
    BodyKind,
    FocusArea,
    FocusAreaSuccession,
    Programme,
    ProgrammeKind,
)

pytestmark = pytest.mark.django_db


def make_programme(slug: str, first_year: int = 2018, last_year: int | None = 2021) -> Programme:
    """A programme version with only what the database requires."""
    return Programme.objects.create(
        slug=slug,
        name=f"Program {slug}",
        kind=ProgrammeKind.SAFETY_AND_SECURITY,
        first_year=first_year,
        last_year=last_year,
    )


def make_focus_area(programme: Programme, position: int, number: int | None = None) -> FocusArea:
    """A focus area of ``programme``."""
    return FocusArea.objects.create(
        programme=programme, position=position, number=number, title=f"Fokusområde {position}"
    )


def test_focus_area_number_is_unique_within_a_version() -> None:
    programme = make_programme("a")
    make_focus_area(programme, position=1, number=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_focus_area(programme, position=2, number=1)


def test_same_focus_area_number_may_recur_in_another_version() -> None:
    make_focus_area(make_programme("a"), position=1, number=1)

    make_focus_area(make_programme("b"), position=1, number=1)

    assert FocusArea.objects.filter(number=1).count() == 2


def test_unnumbered_focus_areas_may_share_a_version() -> None:
    programme = make_programme("a")

    make_focus_area(programme, position=1)
    make_focus_area(programme, position=2)

    assert programme.focus_areas.filter(number__isnull=True).count() == 2


def test_last_year_before_first_year_is_refused() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make_programme("a", first_year=2021, last_year=2018)


def test_single_year_and_open_ended_versions_are_allowed() -> None:
    one_year = make_programme("a", first_year=2024, last_year=2024)
    open_ended = make_programme("b", first_year=2024, last_year=None)

    assert one_year.period_label == "2024–2024"
    assert open_ended.period_label == "2024–"


def test_version_cannot_supersede_itself() -> None:
    programme = make_programme("a")
    programme.supersedes = programme

    with pytest.raises(IntegrityError), transaction.atomic():
        programme.save()


def test_adoption_is_dated_by_date_or_year_not_both() -> None:
    programme = make_programme("a")
    programme.adopted_on = datetime.date(2021, 4, 12)
    programme.adopted_year = 2021

    with pytest.raises(IntegrityError), transaction.atomic():
        programme.save()


def test_adoption_year_comes_from_the_date_where_there_is_one() -> None:
    dated = make_programme("a")
    dated.adopted_on = datetime.date(2021, 4, 12)
    undated = make_programme("b")
    undated.adopted_year = 2018

    assert dated.adoption_year == 2021
    assert undated.adoption_year == 2018
    assert make_programme("c").adoption_year is None


def test_body_cannot_end_before_it_begins() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Body.objects.create(
            slug="jarva",
            kind=BodyKind.DISTRICT_COMMITTEE,
            name="Järva stadsdelsnämnd",
            valid_from=datetime.date(2023, 7, 1),
            valid_to=datetime.date(2023, 6, 30),
        )


def test_succession_needs_a_successor_or_a_note() -> None:
    source = make_focus_area(make_programme("a"), position=1, number=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        FocusAreaSuccession.objects.create(source=source, successor=None, note="")


def test_succession_with_only_a_note_is_allowed() -> None:
    source = make_focus_area(make_programme("a"), position=1, number=1)

    succession = FocusAreaSuccession.objects.create(source=source, note="Till kvalitetsprogrammet.")

    assert str(succession) == "1. Fokusområde 1 → Till kvalitetsprogrammet."


def test_same_succession_cannot_be_recorded_twice() -> None:
    source = make_focus_area(make_programme("a"), position=1, number=1)
    successor = make_focus_area(make_programme("b", first_year=2020, last_year=2023), position=1)
    FocusAreaSuccession.objects.create(source=source, successor=successor)

    with pytest.raises(IntegrityError), transaction.atomic():
        FocusAreaSuccession.objects.create(source=source, successor=successor)


def test_body_is_active_between_its_dates() -> None:
    ended = Body.objects.create(
        slug="alvsjo",
        kind=BodyKind.DISTRICT_COMMITTEE,
        name="Älvsjö stadsdelsnämnd",
        valid_to=datetime.date(2020, 6, 30),
    )
    merged = Body.objects.create(
        slug="hagersten-alvsjo",
        kind=BodyKind.DISTRICT_COMMITTEE,
        name="Hägersten-Älvsjö stadsdelsnämnd",
        valid_from=datetime.date(2020, 7, 1),
    )

    assert list(Body.objects.active_on(datetime.date(2020, 6, 30))) == [ended]
    assert list(Body.objects.active_on(datetime.date(2020, 7, 1))) == [merged]
    assert merged.is_active
    assert not ended.is_active


def test_body_exists_on_its_first_and_last_day_only() -> None:
    body = Body(
        slug="norra-innerstaden",
        kind=BodyKind.DISTRICT_COMMITTEE,
        name="Norra innerstadens stadsdelsnämnd",
        valid_from=datetime.date(2023, 7, 1),
        valid_to=datetime.date(2030, 6, 30),
    )

    assert not body.is_active_on(datetime.date(2023, 6, 30))
    assert body.is_active_on(datetime.date(2023, 7, 1))
    assert body.is_active_on(datetime.date(2030, 6, 30))
    assert not body.has_ended_by(datetime.date(2030, 6, 30))
    assert body.has_ended_by(datetime.date(2030, 7, 1))
    assert not body.is_active_on(datetime.date(2030, 7, 1))
