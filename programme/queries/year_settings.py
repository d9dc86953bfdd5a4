"""What SLK's yearly settings pages read, and the follow-up calendar: period ends, deadlines."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programme.history import CHANGE_TYPES, HISTORY_LIMIT, FieldChange, HistoryEntry, written_date
from programme.models import (
    CouncilGoal,
    CouncilIndicator,
    FollowUpDeadline,
    FollowUpPeriod,
)
from programme.models.year_settings import DEFAULT_COUNCIL_GOAL_TITLE


@dataclass(frozen=True)
class YearSettings:
    """What the settings page of one year shows: deadlines, council goal and indicators."""

    year: int
    deadlines: dict[str, FollowUpDeadline]
    council_goal: CouncilGoal | None
    indicators: list[CouncilIndicator]
    history: list[HistoryEntry]


def year_settings(year: int) -> YearSettings:
    """The year's deadlines, council goal, indicators and their history (six queries)."""
    deadlines = {
        deadline.period: deadline for deadline in FollowUpDeadline.objects.filter(year=year)
    }
    council_goal = CouncilGoal.objects.filter(year=year).first()
    indicators = (
        list(CouncilIndicator.objects.filter(council_goal=council_goal))
        if council_goal is not None
        else []
    )
    return YearSettings(
        year=year,
        deadlines=deadlines,
        council_goal=council_goal,
        indicators=indicators,
        history=year_history(year),
    )


def suggested_council_goal_title(year: int) -> str:
    """The title a year's council goal starts from: the year before's, or the city's own."""
    earlier = CouncilGoal.objects.filter(year__lt=year).order_by("-year").first()
    return earlier.title if earlier is not None else DEFAULT_COUNCIL_GOAL_TITLE


# What each kind of record is called in the year's history.
RECORD_KINDS: dict[type[models.Model], Any] = {
    FollowUpDeadline: gettext_lazy("deadline"),
    CouncilGoal: gettext_lazy("council goal"),
    CouncilIndicator: gettext_lazy("indicator"),
}


# Fields that never change after creation, or only follow from others.
UNSHOWN_FIELDS = {"year", "period", "council_goal"}


def _shown(field: models.Field[Any, Any], value: Any) -> str:
    """A stored value as the history shows it: choice labels, dates, empty as "(empty)"."""
    if value is None or value == "":
        return str(gettext_lazy("(empty)"))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return written_date(value)
    if isinstance(value, Decimal):
        return str(localize(value))
    return str(value)


def _label(model: type[models.Model], record: Any) -> str:
    """Which record an entry is about: "deadline (tertial report 1)", "indicator (X)"."""
    kind = str(RECORD_KINDS[model])
    if model is FollowUpDeadline:
        return f"{kind} ({record.get_period_display()})"
    if model is CouncilIndicator:
        return f"{kind} ({record.name})"
    return kind


def _entries(model: type[models.Model], rows: list[Any]) -> list[HistoryEntry]:
    """The entries of one kind of record, from its history rows ordered by id then date."""
    entries: list[HistoryEntry] = []
    fields = [
        field
        for field in model._meta.concrete_fields
        if field.name not in UNSHOWN_FIELDS and not field.primary_key
    ]
    previous: Any = None
    for row in rows:
        same_record = previous is not None and previous.id == row.id
        changes: list[FieldChange] = []
        if same_record and row.history_type == "~":
            for field in fields:
                old, new = getattr(previous, field.attname), getattr(row, field.attname)
                if old != new:
                    changes.append(
                        FieldChange(str(field.verbose_name), _shown(field, old), _shown(field, new))
                    )
        elif row.history_type == "+":
            changes = [
                FieldChange(
                    str(field.verbose_name),
                    _shown(field, None),
                    _shown(field, getattr(row, field.attname)),
                )
                for field in fields
                if getattr(row, field.attname) not in (None, "")
            ]
        user = row.history_user
        who = (user.get_full_name() or user.get_username()) if user else str(_("the system"))
        what = str(CHANGE_TYPES.get(row.history_type, row.history_type))
        entries.append(
            HistoryEntry(
                when=row.history_date,
                who=who,
                what=f"{what}: {_label(model, row)}",
                changes=changes,
            )
        )
        previous = row
    return entries


def year_history(year: int, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """The newest ``limit`` changes of the year's deadlines, council goal and indicators.

    Three queries however long the history: one per kind of record, each with its
    users. Deleted indicators stay in the history with what they were.
    """
    # The goals of the year, deleted ones too, as a subquery: no query of its own.
    goal_ids = CouncilGoal.history.filter(year=year).values("id")
    sources: list[tuple[type[models.Model], Any]] = [
        (FollowUpDeadline, FollowUpDeadline.history.filter(year=year)),
        (CouncilGoal, CouncilGoal.history.filter(year=year)),
        (
            CouncilIndicator,
            CouncilIndicator.history.filter(council_goal_id__in=goal_ids),
        ),
    ]
    entries: list[HistoryEntry] = []
    for model, rows in sources:
        ordered = list(rows.select_related("history_user").order_by("id", "history_date", "pk"))
        entries.extend(_entries(model, ordered))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


# The last day of each period (month, day): the tertials end in April and August.
PERIOD_ENDS: dict[str, tuple[int, int]] = {
    FollowUpPeriod.T1: (4, 30),
    FollowUpPeriod.T2: (8, 31),
    FollowUpPeriod.ANNUAL: (12, 31),
}


def period_end(year: int, period: str) -> datetime.date:
    """The last day of ``period`` in ``year``."""
    month, day = PERIOD_ENDS[period]
    return datetime.date(year, month, day)


def deadline_of(year: int, period: str) -> datetime.date | None:
    """When SLK set the period's follow-up to be due, if it has (one query)."""
    return (
        FollowUpDeadline.objects.filter(year=year, period=period)
        .values_list("due_on", flat=True)
        .first()
    )


def current_period(today: datetime.date | None = None) -> tuple[int, FollowUpPeriod]:
    """The follow-up SLK is most likely working on: the next one due (one query).

    That is the period with the earliest deadline on or after ``today`` this year or
    last (the annual report of last year is due early this year); once every deadline
    has passed, the latest; without deadlines, this year's first tertial.
    """
    day = today or timezone.localdate()
    deadlines = list(
        FollowUpDeadline.objects.filter(year__in=[day.year - 1, day.year]).order_by("due_on")
    )
    upcoming = [deadline for deadline in deadlines if deadline.due_on >= day]
    chosen = upcoming[0] if upcoming else (deadlines[-1] if deadlines else None)
    if chosen is None:
        return day.year, FollowUpPeriod.T1
    return chosen.year, FollowUpPeriod(chosen.period)
