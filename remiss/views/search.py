"""The search across referral responses and statements (``?q=``).

Open to everyone signed in: what a user finds is only what the access module lets the
user read (``remiss.queries.search`` restricts first, then searches), so a user who
reads no body's records (an official, a user without a role) gets an empty result,
never another body's text.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from remiss.queries import search as queries


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The search form and, for a query of at least two characters, its hits."""
    result = queries.search(request.user, request.GET.get("q", ""))
    return render(
        request,
        "remiss/search.html",
        {"result": result, "min_length": queries.MIN_LENGTH, "max_length": queries.MAX_LENGTH},
    )
