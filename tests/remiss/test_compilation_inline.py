"""The section page's inline disposition forms, written in code rather than by the widgets.

Each row's inputs must be the ones ``DispositionForm`` would write (names, ids, values,
``checked``, ``required``, ``aria-describedby``, labels, legend), so that its save parses,
its labels name its inputs and the edit-conflict check gets the version. A refused save
from the section page shows the page again with the form at its row: its error, what was
entered, and for a stale save the current version, so saving again goes through.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from programme.models import Body
from remiss.forms.compilation import DispositionForm, disposition_prefix
from remiss.models import Disposition, DispositionOutcome, Statement
from remiss.services.compilation import record_disposition
from tests.access.matrix_rows_remiss_compilation import Round, make_round
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

REFUSED = "Någon annan har sparat ändringar här efter att du öppnade sidan"

# Elements with no end tag.
VOID = {"input", "br", "hr", "img", "meta", "link", "wbr"}
# What a field writes that a save or a reader relies on.
ATTRIBUTES = ("type", "name", "value", "id", "checked", "required", "aria-describedby", "for")


class _Form(HTMLParser):
    """The inputs, labels and legends of the element with ``id`` (a row's ``<li>``)."""

    def __init__(self, element_id: str) -> None:
        super().__init__()
        self.element_id = element_id
        self.depth = 0
        self.items: list[tuple[Any, ...]] = []
        self.text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if self.depth == 0 and found.get("id") != self.element_id:
            return
        self.depth += 1
        if tag in ("input", "textarea", "label", "legend", "select"):
            kept = tuple((name, found[name]) for name in ATTRIBUTES if name in found)
            self.items.append((tag, kept))
            if tag != "input":
                self.text = []
        if tag in VOID:
            self.depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth == 0:
            return
        if tag in ("textarea", "label", "legend") and self.text is not None:
            self.items.append((f"/{tag}", "".join(self.text).strip()))
            self.text = None
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and self.text is not None:
            self.text.append(data)


def _parsed(html: str, element_id: str) -> list[tuple[Any, ...]]:
    parser = _Form(element_id)
    parser.feed(html)
    return parser.items


def _fields(items: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The form's own fields: not the CSRF token nor the filters to return to."""
    skip = {"csrfmiddlewaretoken", "return_query"}
    return [
        item
        for item in items
        if not isinstance(item[1], tuple) or dict(item[1]).get("name") not in skip
    ]


def _as_the_form_writes_it(statement: Statement) -> list[tuple[Any, ...]]:
    """The row's fields as ``DispositionForm`` renders them through ``{% form_field %}``."""
    form = DispositionForm(
        instance=Disposition.objects.filter(statement=statement).first()
        or Disposition(statement=statement),
        prefix=disposition_prefix(statement.pk),
    )
    html = Template(
        '{% load form_fields %}<div id="form">{{ form.version }}'
        "{% for field in form.visible_fields %}{% form_field field %}{% endfor %}</div>"
    ).render(Context({"form": form}))
    return _parsed(html, "form")


@pytest.fixture
def made(cast: Cast) -> Round:
    return make_round(cast)


def _slk(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.slk)
    return client


def _section_url(made: Round) -> str:
    return reverse(
        "remiss:compilation-section",
        kwargs={"pk": made.referral.pk, "section_pk": made.section.pk},
    )


def _disposition_url(made: Round, statement: Statement) -> str:
    return reverse(
        "remiss:compilation-disposition",
        kwargs={"pk": made.referral.pk, "statement_pk": statement.pk},
    )


def test_each_row_writes_the_inputs_the_form_would(cast: Cast, made: Round):
    # open_a has a disposition (version 1, "Texten behålls."); open_b and internal_a none.
    page = _slk(cast).get(_section_url(made)).content.decode()

    for statement in (made.open_a, made.internal_a, made.open_b):
        written = _fields(_parsed(page, f"statement-{statement.pk}"))
        assert written == _as_the_form_writes_it(statement), statement.text
    handled = dict(_fields(_parsed(page, f"statement-{made.open_a.pk}"))[0][1])
    assert (handled["name"], handled["value"]) == (f"statement-{made.open_a.pk}-version", "1")


def test_every_label_names_an_input_of_its_row(cast: Cast, made: Round):
    page = _slk(cast).get(_section_url(made)).content.decode()

    items = _parsed(page, f"statement-{made.open_b.pk}")
    ids = {dict(attrs).get("id") for tag, attrs in items if tag in ("input", "textarea")}
    labels = [dict(attrs)["for"] for tag, attrs in items if tag == "label"]
    described = [
        dict(attrs)["aria-describedby"]
        for tag, attrs in items
        if tag == "textarea" and "aria-describedby" in dict(attrs)
    ]
    # Four outcomes and the reason, each with its own label; the reason's help is there.
    assert len(labels) == 5 and set(labels) <= ids
    assert described == [f"id_statement-{made.open_b.pk}-reason_helptext"]
    assert f'id="{described[0]}"' in page
    # The legend names the group of radios.
    assert [text for tag, text in items if tag == "/legend"] == ["Hantering"]


def test_what_a_row_writes_is_escaped(cast: Cast, made: Round):
    Body.objects.filter(pk=cast.body_b.pk).update(name="Skärholmen <b>& co</b>")
    Disposition.objects.create(
        statement=made.open_b, outcome=DispositionOutcome.NOTED, reason="</textarea><b>x</b>"
    )

    page = _slk(cast).get(_section_url(made)).content.decode()

    assert "<b>" not in page
    assert "<strong>Skärholmen &lt;b&gt;&amp; co&lt;/b&gt;</strong>" in page
    assert "&lt;/textarea&gt;&lt;b&gt;x&lt;/b&gt;</textarea>" in page


def test_a_saved_row_posts_through_its_written_form(cast: Cast, made: Round):
    client = _slk(cast)
    page = client.get(_section_url(made) + "?stance=objects").content.decode()
    items = _parsed(page, f"statement-{made.open_b.pk}")
    data = {
        dict(attrs)["name"]: dict(attrs).get("value", "")
        for tag, attrs in items
        if tag == "input" and dict(attrs).get("type") != "radio"
    }
    prefix = f"statement-{made.open_b.pk}"
    data |= {f"{prefix}-outcome": "partly_accepted", f"{prefix}-reason": "Delvis."}

    saved = client.post(_disposition_url(made, made.open_b), data)

    assert saved.status_code == 302
    assert saved["Location"].endswith(f"?stance=objects#statement-{made.open_b.pk}")
    stored = Disposition.objects.get(statement=made.open_b)
    assert (stored.outcome, stored.reason, stored.version) == ("partly_accepted", "Delvis.", 1)


def _row(page: str, statement: Statement) -> str:
    """The HTML of the statement's row, to the end of its form."""
    row = page[page.index(f'id="statement-{statement.pk}"') :]
    return row[: row.index("</form>")]


def _posted(made: Round, statement: Statement, version: int, **fields: str) -> dict[str, str]:
    prefix = f"statement-{statement.pk}"
    data = {"return_query": "group=committees", f"{prefix}-version": str(version)}
    data |= {f"{prefix}-{name}": value for name, value in fields.items()}
    return data


def test_a_refused_save_shows_its_error_at_its_row_with_what_was_entered(cast: Cast, made: Round):
    client = _slk(cast)

    refused = client.post(
        _disposition_url(made, made.open_b),
        _posted(made, made.open_b, 0, outcome="not_accepted", reason=""),
    )

    assert refused.status_code == 200
    assert refused.templates[0].name == "remiss/compilation/section.html"
    assert not Disposition.objects.filter(statement=made.open_b).exists()
    form = refused.context["disposition_form"]
    (error,) = form.non_field_errors() + form.errors.get("reason", [])
    page = refused.content.decode()
    row = _row(page, made.open_b)
    assert error in row
    assert 'value="not_accepted"' in row
    checked = [
        dict(attrs)["value"]
        for tag, attrs in _parsed(page, f"statement-{made.open_b.pk}")
        if tag == "input" and "checked" in dict(attrs)
    ]
    assert checked == ["not_accepted"]
    # The summary above names the error too; the filters are kept.
    assert page.index(error) < page.index(f'id="statement-{made.open_b.pk}"')
    assert refused.context["page"].filters.group == "committees"
    # Every other row is written as usual, with its own form.
    assert page.count('class="disposition-form"') == len(refused.context["page"].rows)


def test_a_stale_save_from_the_section_page_is_refused_and_may_be_saved_again(
    cast: Cast, made: Round
):
    client = _slk(cast)
    # Both opened the page at version 1; someone else saved first.
    record_disposition(cast.slk, made.open_a.pk, 1, DispositionOutcome.NOTED, "Första skälet.")

    refused = client.post(
        _disposition_url(made, made.open_a),
        _posted(made, made.open_a, 1, outcome="not_accepted", reason="Andra skälet."),
    )

    assert refused.status_code == 200
    stored = Disposition.objects.get(statement=made.open_a)
    assert (stored.reason, stored.version) == ("Första skälet.", 2)
    page = refused.content.decode()
    row = _row(page, made.open_a)
    assert REFUSED in row
    assert "Andra skälet." in row
    assert "Första skälet." in row[row.index("edit-conflict") :]
    version = [
        dict(attrs)["value"]
        for tag, attrs in _parsed(page, f"statement-{made.open_a.pk}")
        if tag == "input" and dict(attrs).get("name") == f"statement-{made.open_a.pk}-version"
    ]
    assert version == ["2"]

    again = client.post(
        _disposition_url(made, made.open_a),
        _posted(made, made.open_a, 2, outcome="not_accepted", reason="Andra skälet."),
    )

    assert again.status_code == 302
    stored.refresh_from_db()
    assert (stored.reason, stored.version) == ("Andra skälet.", 3)


def test_a_refused_save_from_the_disposition_page_stays_there(cast: Cast, made: Round):
    prefix = f"statement-{made.open_b.pk}"

    refused = _slk(cast).post(
        _disposition_url(made, made.open_b),
        {f"{prefix}-version": "0", f"{prefix}-outcome": "not_accepted", f"{prefix}-reason": ""},
    )

    assert refused.status_code == 200
    assert refused.templates[0].name == "remiss/compilation/disposition.html"
