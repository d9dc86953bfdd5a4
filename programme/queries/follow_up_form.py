"""The key under which the body's follow-up form, as it stands, is kept written.

The form (``programme/views/follow_ups.py``, ``follow_up_edit``) shows the follow-up's
rows, each with its record in the plan as the record stands now, and the plan's items
that have no row yet. What it shows changes only when one of these changes:

- the follow-up or any of its rows: every save of a row raises the follow-up's
  ``version`` (``version_kept_by``), and the key holds every column of the follow-up;
- a goal, an activity or an indicator of the plan the user may see: each edit raises the
  record's ``version`` (so the sum of the versions rises), an item added raises the
  count and the largest id (ids are never used again), an item removed lowers the count;
- the body (its name and address in the form's links), the year, whether the user sees
  confidential records, the language and the time zone.

So the key is made of exactly those (``plan_items_state`` reads the plan's part in one
query), and the form is written only when one of them has changed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, QuerySet, Sum, Value

from programme import access
from programme.access import AnyUser
from programme.models import Activity, Body, FollowUp, Goal, Indicator
from programme.templatetags.fragments import values_digest

ItemsState = tuple[tuple[str, int, int, int], ...]


def plan_items_state(user: AnyUser, follow_up: FollowUp) -> ItemsState:
    """For goals, activities and indicators of the follow-up's plan that ``user`` may see:
    how many, the sum of their versions and the largest id (one query)."""
    plan_id = follow_up.plan_id
    kinds: dict[str, QuerySet[Any]] = {
        "goal": Goal.objects.filter(plan_id=plan_id),
        "activity": Activity.objects.filter(goal__plan_id=plan_id),
        "indicator": Indicator.objects.filter(goal__plan_id=plan_id),
    }
    first, *others = (
        access.restrict(rows, user)
        .order_by()
        .annotate(kind=Value(kind))
        .values("kind")
        .annotate(count=Count("pk"), versions=Sum("version"), last=Max("pk"))
        .values_list("kind", "count", "versions", "last")
        for kind, rows in kinds.items()
    )
    found = {
        kind: (kind, count, versions or 0, last or 0)
        for kind, count, versions, last in first.union(*others, all=True)
    }
    return tuple(found.get(kind, (kind, 0, 0, 0)) for kind in kinds)


def form_key(user: AnyUser, body: Body, year: int, follow_up: FollowUp) -> str:
    """The key of the follow-up's form as it stands for ``user`` (one query)."""
    return values_digest(
        "follow-up-form",
        _columns(body),
        year,
        _columns(follow_up),
        access.may_see_confidential(user, body),
        plan_items_state(user, follow_up),
    )


def _columns(record: Body | FollowUp) -> tuple[Any, ...]:
    """Every column of ``record`` (its text would read its relations: not needed here)."""
    return tuple(getattr(record, field.attname) for field in record._meta.concrete_fields)
