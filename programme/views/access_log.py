"""The access log page: SLK reviewers and system administrators read it; nobody changes it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from programme import access
from programme.queries.access_log import access_log_page


@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Who opened a confidential record or downloaded its evidence, and when."""
    user = request.user
    if not (access.is_slk_reviewer(user) or access.is_system_administrator(user)):
        raise PermissionDenied
    return render(
        request,
        "programme/access_log.html",
        {"page": access_log_page(request.GET.get("sida"))},
    )
