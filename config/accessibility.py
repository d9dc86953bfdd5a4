"""The accessibility statement (tillgänglighetsredogörelse) that lag (2018:1937) asks of a
public body's digital service: open to everyone, signed in or not."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

# When the statement was last reviewed against the service; change it with the text.
STATEMENT_REVIEWED_ON = datetime.date(2026, 12, 2)


@login_not_required
@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """How accessible the service is, what is known not to work, and where to report it."""
    return render(
        request,
        "accessibility.html",
        {
            "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
            "reviewed_on": STATEMENT_REVIEWED_ON,
        },
    )
