"""The keys under which the follow-up's pages are kept written: the body's form not yet
filled in (``follow_up_edit``) and the goals' part of SLK's review (``follow_up_review``).

Both show the follow-up's rows with the plan's records, and the review the focus areas
the rows kept. What they show changes only when one of these changes:

- the follow-up or any of its rows: every save of a row raises the follow-up's
  ``version`` (``version_kept_by``), and the key holds every column of the follow-up;
- a goal, an activity or an indicator of the plan the user may see, a focus area or a
  programme version: each edit raises the record's ``version`` (so the sum of the
  versions rises), a record added raises the count and the largest id (ids are never
  used again), a record removed lowers the count;
- the body (its name and address in the pages' links), the year, whether the user sees
  confidential records, the language and the time zone.

So each key is made of exactly those (``records_state`` reads the records' part in one
query), and a page's part is written only when one of them has changed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, QuerySet, Sum, Value

from programme import access
from programme.access import AnyUser
from programme.models import Activity, Body, FocusArea, FollowUp, Goal, Indicator, Programme
from programme.templatetags.fragments import values_digest

RecordsState = tuple[tuple[str, int, int, int], ...]


def records_state(user: AnyUser, follow_up: FollowUp) -> RecordsState:
    """For the goals, activities and indicators of the follow-up's plan that ``user`` may
    see, and for every focus area and programme version: how many, the sum of their
    versions and the largest id (one query)."""
    plan_id = follow_up.plan_id
    kinds: dict[str, QuerySet[Any]] = {
        "goal": access.restrict(Goal.objects.filter(plan_id=plan_id), user),
        "activity": access.restrict(Activity.objects.filter(goal__plan_id=plan_id), user),
        "indicator": access.restrict(Indicator.objects.filter(goal__plan_id=plan_id), user),
        # Programme data, open to everyone.
        "focus area": FocusArea.objects.all(),
        "programme": Programme.objects.all(),
    }
    first, *others = (
        rows.order_by()
        .annotate(record_kind=Value(kind))
        .values("record_kind")
        .annotate(count=Count("pk"), versions=Sum("version"), last=Max("pk"))
        .values_list("record_kind", "count", "versions", "last")
        for kind, rows in kinds.items()
    )
    found = {
        kind: (kind, count, versions or 0, last or 0)
        for kind, count, versions, last in first.union(*others, all=True)
    }
    return tuple(found.get(kind, (kind, 0, 0, 0)) for kind in kinds)


def _key(kind: str, user: AnyUser, body: Body, year: int, follow_up: FollowUp) -> str:
    return values_digest(
        kind,
        _columns(body),
        year,
        _columns(follow_up),
        access.may_see_confidential(user, body),
        records_state(user, follow_up),
    )


def form_key(user: AnyUser, body: Body, year: int, follow_up: FollowUp) -> str:
    """The key of the follow-up's form as it stands for ``user`` (one query)."""
    return _key("follow-up-form", user, body, year, follow_up)


def review_key(user: AnyUser, body: Body, year: int, follow_up: FollowUp) -> str:
    """The key of the goals' part of SLK's review as it stands for ``user`` (one query)."""
    return _key("follow-up-review", user, body, year, follow_up)


def _columns(record: Body | FollowUp) -> tuple[Any, ...]:
    """Every column of ``record`` (its text would read its relations: not needed here)."""
    return tuple(getattr(record, field.attname) for field in record._meta.concrete_fields)
