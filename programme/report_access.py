"""Who may read which variant of a report: a body's follow-up reports and the city-wide one.

Part of the access layer beside ``programme/access.py``, which decides what each variant
may print (``for_audience``, ``audience_text``, ``for_general_report``); this module
decides who gets which variant. Views and services ask here, never decide themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import Q

from programme import access
from programme.access import Action, AnyUser
from programme.models import Audience, FollowUp, FollowUpState


def report_audiences(user: AnyUser, follow_ups: Iterable[FollowUp]) -> dict[int, list[Audience]]:
    """The variants of each follow-up's reports the user may ask for and download.

    SLK and the body's administrators read all three (an administrator previews the
    general one before approval, to see what officials will read); the body's readers
    the members' one; officials and the body's readers the general one once SLK has
    approved. Anyone else none (404). Two queries however many follow-ups.
    """
    every = [Audience.FULL, Audience.MEMBERS, Audience.GENERAL]
    rows = list(follow_ups)
    if access.is_slk_reviewer(user):
        return {row.pk: every for row in rows}
    body_ids = {row.plan.body_id for row in rows}
    admin = set(
        access.bodies_for(user, Action.CHANGE).filter(pk__in=body_ids).values_list("pk", flat=True)
    )
    member = set(
        access.bodies_for(user, Action.VIEW).filter(pk__in=body_ids).values_list("pk", flat=True)
    )
    result: dict[int, list[Audience]] = {}
    for row in rows:
        body_id = row.plan.body_id
        audiences = every if body_id in admin else [Audience.MEMBERS] if body_id in member else []
        if row.state == FollowUpState.APPROVED and not audiences and access.is_official(user):
            audiences = [Audience.GENERAL]
        elif row.state == FollowUpState.APPROVED and audiences == [Audience.MEMBERS]:
            audiences = [Audience.MEMBERS, Audience.GENERAL]
        result[row.pk] = audiences
    return result


def report_follow_ups(user: AnyUser) -> models.QuerySet[FollowUp]:
    """The follow-ups of which the user may read a report: ``report_audiences`` as SQL."""
    queryset = FollowUp.objects.all()
    if access.is_slk_reviewer(user):
        return queryset
    allowed = Q(plan__body__in=access.bodies_for(user, Action.VIEW))
    if access.is_official(user):
        allowed |= Q(state=FollowUpState.APPROVED)
    return queryset.filter(allowed)


def city_report_audiences(user: AnyUser, published: bool) -> list[Audience]:
    """The variants of a city-wide report the user may read.

    SLK reads both, drafts and published; the full variant prints every body's records,
    confidential ones included, so nobody else reads it. Anyone else with a role in the
    product (an official, a body's member, a system administrator) reads the general
    variant once SLK has published it, and earlier published versions of it.
    """
    if access.is_slk_reviewer(user):
        return [Audience.FULL, Audience.GENERAL]
    if published and has_any_role(user):
        return [Audience.GENERAL]
    return []


def has_any_role(user: AnyUser) -> bool:
    """Whether the user has a global role or reads the records of some body."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(access.global_roles(user)) or access.bodies_for(user, Action.VIEW).exists()


def may_ask_city_report(user: AnyUser) -> bool:
    """Whether the user asks for, reads drafts of and publishes the city-wide report (SLK)."""
    return access.is_slk_reviewer(user)
