"""The history of a plan's records: who changed a goal, activity or indicator, and how."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django_stubs_ext import StrOrPromise

from programme import access, access_log
from programme.history import history_for
from programme.models import Activity, Goal, Indicator, Plan
from programme.views.plans import _plan_url, _user

# Each kind of plan record: its model, how the page names it, and its plan.
HISTORY_KINDS: dict[str, tuple[type[models.Model], StrOrPromise, str]] = {
    "goal": (Goal, gettext_lazy("goal"), "plan"),
    "activity": (Activity, gettext_lazy("activity"), "goal__plan"),
    "indicator": (Indicator, gettext_lazy("indicator"), "goal__plan"),
}


@require_GET
def record_history(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Who changed a goal, activity or indicator, when, and from what to what.

    Anyone who may see the record may read its history, without the values written
    while it (or its goal) was confidential unless they may see confidential records.
    Opening a confidential record's history is logged.
    """
    user = _user(request)
    model, label, plan_path = HISTORY_KINDS[kind]
    record: Any = access.get_for_user_or_404(
        user, model._default_manager.select_related(f"{plan_path}__body"), pk=pk
    )
    plan: Plan = record.plan if kind == "goal" else record.goal.plan
    access_log.log_if_confidential(user, record, plan.body)
    sees = access.may_see_confidential(user, plan.body)
    return render(
        request,
        "programme/plans/history.html",
        {
            "record": record,
            "name": record.name if kind == "indicator" else record.title,
            "kind": label,
            "plan": plan,
            "body": plan.body,
            "history": history_for(record, sees_confidential=sees),
            "back_url": _plan_url(plan, f"{kind}-{record.pk}"),
        },
    )
