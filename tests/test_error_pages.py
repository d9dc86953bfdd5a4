"""The site's own pages for a refusal (403) and a failed CSRF check, and a 403's log line."""

from __future__ import annotations

import logging
import sys

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_a_refusal_is_a_swedish_page_with_the_sites_menu(cast: Cast):
    client = Client()
    client.force_login(cast.reader_a)
    response = client.get(reverse("programme:access-log"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Inte tillåtet</h1>" in page
    assert "Logga ut" in page and 'lang="sv"' in page


def test_a_failed_csrf_check_is_a_swedish_page_that_says_what_to_do(cast: Cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.slk)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Formuläret kunde inte skickas" in page
    assert "ladda om sidan" in page


def test_a_refusal_is_logged_as_one_line_without_its_traceback():
    console = next(
        handler
        for handler in logging.getLogger().handlers
        if any(type(f).__name__ == "ForbiddenWithoutTraceback" for f in handler.filters)
    )
    try:
        raise PermissionDenied
    except PermissionDenied:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Forbidden (Permission denied): %s",
        ("/atkomstlogg/",),
        exc_info,
    )
    record.status_code = 403
    assert console.filter(record)
    text = console.format(record)
    assert text == "Forbidden (Permission denied): /atkomstlogg/"
    # Any other response keeps its traceback.
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/",), exc_info
    )
    record.status_code = 500
    assert console.filter(record)
    assert "Traceback" in console.format(record)
