"""The page of one goal, activity or indicator: what the plan page's row leaves out.

Anyone who may see the record may open its page (``programme.access``: 404 otherwise);
opening a confidential record is logged. The page leads to the record's history and,
for the body's administrators, to its forms. The plan page's filter is kept in the way
back.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django_stubs_ext import StrOrPromise

from programme import access, access_log
from programme.queries import plan_records as record_queries

# How the page names each kind of record.
KIND_LABELS: dict[str, StrOrPromise] = {
    "goal": gettext_lazy("goal"),
    "activity": gettext_lazy("activity"),
    "indicator": gettext_lazy("indicator"),
}
# The plan page's filter, carried through the record's page and back.
FILTER_KEYS = ("status", "focus_area", "perspective")


def kept_filter(query: QueryDict) -> str:
    """The plan page's filter from a query string, as a query string again ("" if none).

    Only the filter's own keys are kept; the plan page checks their values.
    """
    return urlencode({key: query[key][:100] for key in FILTER_KEYS if query.get(key)})


@require_GET
def record_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """One goal, activity or indicator: its details, its follow-up rows, its links."""
    user: access.AnyUser = request.user
    page = record_queries.record_page(user, kind, pk)
    access_log.log_if_confidential(user, page.record, page.body)
    query = kept_filter(request.GET)
    plan_url = reverse("programme:plan-detail", args=[page.body.slug, page.plan.year])
    return render(
        request,
        "programme/plans/record.html",
        {
            "page": page,
            "record": page.record,
            "body": page.body,
            "plan": page.plan,
            "kind_label": KIND_LABELS[kind],
            "back_url": f"{plan_url}{'?' + query if query else ''}#{kind}-{page.record.pk}",
        },
    )
