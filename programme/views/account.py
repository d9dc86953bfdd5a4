"""The user's own page: who they are, their roles and memberships, and where each leads."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from programme.context_processors import roles_of


@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's roles and memberships, what each allows, and links to the work.

    Reads nothing beyond what the navigation reads: the roles and memberships, once.
    """
    return render(request, "programme/account.html", {"roles": roles_of(request)})
