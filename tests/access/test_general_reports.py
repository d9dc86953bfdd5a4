"""What a general report may read: open text, counts of open and internal rows, no confidential.

Both of the access module's modes refuse a model that names no level instead of
answering with every row, and every model that belongs to a body, in any app of the
project, names one (or is open by what it is).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import models

from programme import access
from programme.access import GeneralUse, LevelUnknown
from programme.models import (
    ALWAYS_OPEN,
    Activity,
    ActivityReport,
    CarryOverIssue,
    Confidentiality,
    FocusArea,
    FollowUp,
    FollowUpState,
    Goal,
    GoalJudgement,
    Indicator,
    IndicatorOutcome,
)
from programme.services.fixtures import LoadResult
from tests.access.matrix_support import make_plan_world
from tests.conftest import existing_cast
from tests.test_locking_rule import project_models

pytestmark = pytest.mark.django_db

BODY_MODELS = [model for model in project_models() if hasattr(model, "body_path")]


def test_the_walk_finds_the_records_of_bodies():
    names = {model.__name__ for model in BODY_MODELS}
    assert {"Goal", "Activity", "Indicator", "FollowUp", "ActivityReport", "DutyRecord"} <= names


@pytest.mark.parametrize("model", BODY_MODELS, ids=lambda model: model.__name__)
@pytest.mark.parametrize("use", list(GeneralUse), ids=lambda use: use.value)
def test_every_model_of_a_body_names_its_level_so_both_modes_answer(
    model: type[models.Model], use: GeneralUse
):
    rows = access.for_general_report(model._default_manager.all(), use)

    assert list(rows) == []  # an empty database: the point is that the rule answers
    if model.confidentiality_path is ALWAYS_OPEN:  # type: ignore[attr-defined]
        # Open by what it is; what it holds that could be confidential has a level of its own.
        for name, level in getattr(model, "text_levels", {}).items():
            field: Any = model._meta.get_field(level)
            assert field.default == Confidentiality.INTERNAL, name


@pytest.mark.parametrize("use", list(GeneralUse), ids=lambda use: use.value)
@pytest.mark.parametrize("forgotten", [None, (), ""], ids=["missing", "empty", "blank"])
def test_both_modes_refuse_a_model_without_a_level(
    use: GeneralUse, forgotten: object, monkeypatch: pytest.MonkeyPatch
):
    # A body's record that forgot to say its level, as a new model might.
    monkeypatch.setattr(Goal, "confidentiality_path", forgotten)

    with pytest.raises(LevelUnknown, match="Goal names no confidentiality level"):
        access.for_general_report(Goal.objects.all(), use)
    with pytest.raises(LevelUnknown):
        access.restrict(Goal.objects.all(), AnonymousUser())


def test_a_text_without_a_level_is_refused():
    follow_up = FollowUp(review_comment="SLK:s kommentar")

    with pytest.raises(LevelUnknown):
        access.general_text(follow_up, "review_comment")


def test_the_demo_years_general_data_shows_open_text_counts_internal_and_hides_confidential(
    loaded_data: LoadResult,
):
    call_command("generate_plan_data", stdout=io.StringIO())
    submitted = FollowUp.objects.filter(state__in=[FollowUpState.SUBMITTED, FollowUpState.APPROVED])
    assert submitted.exists()
    # The generated rows keep their records' focus areas, as a submission would.
    report = ActivityReport.objects.filter(follow_up__in=submitted).first()
    assert report is not None
    assert set(report.focus_areas.all()) == set(report.activity.focus_areas.all()) != set()
    for model in (Goal, Activity, Indicator, GoalJudgement, ActivityReport, IndicatorOutcome):
        every = model._default_manager.all()
        shown = access.for_general_report(every, GeneralUse.SHOWN)
        counted = access.for_general_report(every, GeneralUse.COUNTED)
        levels = set(every.values_list("confidentiality", flat=True))
        # The demo has something to show, something only to count, and something to hide.
        assert levels == {level.value for level in Confidentiality}, model.__name__
        assert shown.exists() and shown.count() < counted.count() < every.count()
        assert set(shown.values_list("confidentiality", flat=True)) == {Confidentiality.OPEN}
        assert Confidentiality.CONFIDENTIAL not in set(
            counted.values_list("confidentiality", flat=True)
        )
        if hasattr(model, "goal"):
            # Nothing under a confidential goal is shown or counted.
            assert not counted.filter(goal__confidentiality=Confidentiality.CONFIDENTIAL).exists()
    texts = [access.general_text(follow_up, "narrative") for follow_up in submitted]
    assert any(texts) and not all(texts)


def test_a_carry_over_issue_about_a_record_follows_that_records_level(loaded_data: LoadResult):
    area = FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024").first()
    assert area is not None
    make_plan_world(existing_cast(), 2026, area)

    shown = set(
        access.for_general_report(CarryOverIssue.objects.all()).values_list(
            "goal__title", flat=True
        )
    )

    assert shown == {"Ökad trygghet i centrum"}


def test_a_report_counting_by_a_text_leaves_out_rows_whose_text_is_confidential(
    loaded_data: LoadResult,
):
    area = FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024").first()
    assert area is not None
    world = make_plan_world(existing_cast(), 2026, area)
    FollowUp.objects.filter(pk=world.follow_up_a.pk).update(
        council_goal_judgement="fully_met", council_goal_confidentiality="confidential"
    )
    FollowUp.objects.filter(pk=world.follow_up_b.pk).update(
        council_goal_judgement="partly_met", council_goal_confidentiality="internal"
    )
    every = FollowUp.objects.exclude(council_goal_judgement="")

    counted = access.for_general_report(every, GeneralUse.COUNTED, texts=["council_goal_judgement"])
    shown = access.for_general_report(every, GeneralUse.SHOWN, texts=["council_goal_judgement"])

    assert list(counted.values_list("council_goal_judgement", flat=True)) == ["partly_met"]
    assert not shown.exists()
    with pytest.raises(LevelUnknown):
        access.for_general_report(every, texts=["review_comment"])
