"""A response and a statement opened in two sessions and saved from both.

As ``tests/programme/test_two_sessions.py`` does for the programme's records: the first
save goes through; the second, made from the version both opened, is refused in Swedish
with what the other person changed, keeps the second person's input, and the record
still holds the first save. Saving again from the refused form goes through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from remiss.models import Statement
from tests.conftest import Cast
from tests.programme.test_two_sessions import REFUSED, _posted
from tests.remiss.test_responses import make_round, write_response

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Kind:
    """One form of the response pages, and the field both sessions change."""

    name: str
    url: Callable[[Cast, Any], tuple[Any, str]]
    field: str
    first: str
    second: str


def _response_page(name: str) -> Callable[[Cast, Any], tuple[Any, str]]:
    def make(cast: Cast, response: Any) -> tuple[Any, str]:
        kwargs = {"referral": response.referral_id, "slug": cast.body_a.slug}
        return response, reverse(f"remiss:{name}", kwargs=kwargs)

    return make


def _statement(cast: Cast, response: Any) -> tuple[Any, str]:
    statement = Statement.objects.filter(response=response).order_by("position").first()
    assert statement is not None
    return statement, reverse("remiss:statement-edit", kwargs={"pk": statement.pk})


KINDS = [
    Kind("response", _response_page("response-edit"), "summary", "Första.", "Andra."),
    Kind("decision", _response_page("response-decision"), "minutes_paragraph", "§ 1", "§ 2"),
    Kind("statement", _statement, "text", "Första synpunkten.", "Andra synpunkten."),
]


def _session(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_the_second_save_from_the_same_version_is_refused_with_what_changed(cast: Cast, kind: Kind):
    response = write_response(cast, make_round(cast))
    record, url = kind.url(cast, response)
    first, second = _session(cast.admin_a), _session(cast.admin_a)
    first_form = first.get(url).context["form"]
    second_form = second.get(url).context["form"]
    version = type(record)._default_manager.get(pk=record.pk).version

    saved = first.post(url, _posted(first_form, **{kind.field: kind.first}))
    refused = second.post(url, _posted(second_form, **{kind.field: kind.second}))

    assert saved.status_code == 302
    assert refused.status_code == 200
    page = refused.content.decode()
    assert REFUSED in page
    conflict = page[page.index("edit-conflict") :]
    assert "Det här ändrade den andra personen" in conflict
    assert kind.first in conflict
    assert kind.second in page
    stored = type(record)._default_manager.get(pk=record.pk)
    assert getattr(stored, kind.field) == kind.first
    assert stored.version == version + 1
    again = second.post(url, _posted(refused.context["form"]))
    assert again.status_code == 302
    stored = type(record)._default_manager.get(pk=record.pk)
    assert getattr(stored, kind.field) == kind.second


def test_moving_a_statement_refuses_a_form_opened_before(cast: Cast):
    response = write_response(cast, make_round(cast))
    statement, url = _statement(cast, response)
    form = _session(cast.admin_a).get(url).context["form"]
    mover = _session(cast.admin_a)
    mover.post(
        reverse("remiss:statement-move", kwargs={"pk": statement.pk}),
        {"version": statement.version, "direction": "down"},
    )

    refused = _session(cast.admin_a).post(url, _posted(form, text="Sent ändrad."))

    assert refused.status_code == 200
    assert REFUSED in refused.content.decode()
