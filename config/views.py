"""Site-wide views: the page a failed CSRF check answers with."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The Swedish page for a form sent without a valid CSRF token (``CSRF_FAILURE_VIEW``).

    Usually a form left open across a sign-out, or a page kept from an earlier session:
    going back, reloading and sending again works. ``reason`` is Django's technical
    reason, for the log only.
    """
    return render(request, "403_csrf.html", status=403)
