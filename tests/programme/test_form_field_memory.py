"""``{% form_field %}`` keeps the text of a field of a form not yet filled in and takes it
from memory the next time the same field is written: what it takes is always what it
would write, whatever differs between the two fields, and a filled-in form (with its
errors) is always written afresh."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.utils import translation
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy, pgettext_lazy

from programme.rich_text import RichTextarea
from programme.templatetags import form_fields
from tests.conftest import Cast
from tests.programme.test_follow_up_views import client_for, url, world  # noqa: F401 (a fixture)


class Varied(forms.Form):
    title = forms.CharField(label="Titel", help_text="Kort & tydlig.", max_length=30)
    count = forms.IntegerField(label="Antal", required=False)
    note = forms.CharField(label=gettext_lazy("Comment"), widget=forms.Textarea, required=False)
    rich = forms.CharField(label="Text", widget=RichTextarea(attrs={"rows": 4}), required=False)
    kind = forms.ChoiceField(label="Slag", choices=[("a", "A"), ("b", "B & C")])
    when = forms.DateField(
        label="Datum", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    hidden = forms.IntegerField(widget=forms.HiddenInput, required=False)


FILLED = {
    "title": "Ett <b>",
    "count": 3,
    "note": "x & y",
    "rich": "<p>Hej</p>",
    "kind": "b",
    "when": datetime.date(2027, 5, 1),
    "hidden": 7,
}


@pytest.fixture(autouse=True)
def empty_memory() -> Iterator[None]:
    form_fields._written.clear()
    yield
    form_fields._written.clear()


def test_a_field_taken_from_memory_is_the_field_written() -> None:
    for language in ("sv", "en"):
        with translation.override(language):
            for initial in ({}, FILLED):
                for _ in range(2):
                    for field in Varied(initial=initial):
                        assert form_fields.form_field(field) == form_fields.written_field(field)
    # Every field of both forms in both languages was kept once, the second time taken.
    assert len(form_fields._written) == 2 * 2 * len(Varied.base_fields)


def test_the_second_time_the_text_comes_from_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    first = {field.name: form_fields.form_field(field) for field in Varied(initial=dict(FILLED))}

    def refuse(field: forms.BoundField) -> Any:
        raise AssertionError(f"{field.name} was written again")

    monkeypatch.setattr(form_fields, "written_field", refuse)
    again = {field.name: form_fields.form_field(field) for field in Varied(initial=dict(FILLED))}
    assert again == first


def _changed(change: Callable[[forms.Form], None]) -> forms.Form:
    form = Varied(initial=dict(FILLED))
    change(form)
    return form


def _set_choices(form: forms.Form) -> None:
    kind = form.fields["kind"]
    assert isinstance(kind, forms.ChoiceField)
    kind.choices = [("a", "A"), ("b", "B eller C")]


CHANGES: dict[str, Callable[[forms.Form], None]] = {
    "value": lambda form: form.initial.update(title="Två", kind="a", rich="<p>Nej</p>"),
    "label": lambda form: setattr(form.fields["title"], "label", "Rubrik"),
    "help": lambda form: setattr(form.fields["title"], "help_text", "Lång."),
    "attributes": lambda form: form.fields["note"].widget.attrs.update(rows="9"),
    "a field of another length": lambda form: form.fields.update(
        title=forms.CharField(label="Titel", help_text="Kort & tydlig.", max_length=9)
    ),
    "required": lambda form: setattr(form.fields["count"], "required", True),
    "disabled": lambda form: setattr(form.fields["note"], "disabled", True),
    "choices": _set_choices,
    "a lazy label": lambda form: setattr(form.fields["note"], "label", gettext_lazy("Status")),
    "a lazy label of a context": lambda form: setattr(
        form.fields["note"], "label", pgettext_lazy("history", "changed")
    ),
    "a lazy label with a capital": lambda form: setattr(
        form.fields["note"], "label", capfirst(gettext_lazy("unit"))
    ),
    "a lazy choice": lambda form: setattr(
        form.fields["kind"], "choices", [("a", "A"), ("b", gettext_lazy("Status"))]
    ),
    "prefix": lambda form: setattr(form, "prefix", "andra"),
    "id format": lambda form: setattr(form, "auto_id", "f_%s"),
}


@pytest.mark.parametrize("name", CHANGES)
def test_whatever_the_text_depends_on_a_change_of_it_is_written(name: str) -> None:
    before = {field.name: form_fields.form_field(field) for field in Varied(initial=dict(FILLED))}
    form = _changed(CHANGES[name])
    after = {field.name: form_fields.form_field(field) for field in form}
    assert after == {field.name: form_fields.written_field(field) for field in form}
    assert after != before


def test_the_language_is_part_of_what_is_kept() -> None:
    with translation.override("sv"):
        swedish = form_fields.form_field(Varied()["note"])
    with translation.override("en"):
        english = form_fields.form_field(Varied()["note"])
    assert ">Kommentar<" in swedish
    assert ">Comment<" in english


@pytest.mark.parametrize(
    "first, second",
    [
        (Decimal("1.0"), Decimal("1.00")),
        (0.0, -0.0),
        (
            datetime.datetime(2027, 5, 1, 12, tzinfo=datetime.UTC),
            datetime.datetime(
                2027, 5, 1, 14, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
            ),
        ),
    ],
)
def test_equal_values_written_differently_are_kept_apart(first: Any, second: Any) -> None:
    class Typed(forms.Form):
        value = forms.CharField(required=False)

    assert first == second
    one = form_fields.form_field(Typed(initial={"value": first})["value"])
    other = form_fields.form_field(Typed(initial={"value": second})["value"])
    assert one == form_fields.written_field(Typed(initial={"value": first})["value"])
    assert other == form_fields.written_field(Typed(initial={"value": second})["value"])
    assert one != other


def test_a_lazy_text_of_another_kind_is_kept_by_its_words() -> None:
    # A lazy text that is not a translation may say something else each time it is read:
    # it is part of the key by what it says now, not by what it was made from.
    said = ["Först"]
    label = lazy(lambda: said[0], str)()
    form = Varied()
    form.fields["title"].label = label
    first = form_fields.form_field(form["title"])
    said[0] = "Sedan"
    again = form_fields.form_field(form["title"])
    assert ">Först<" in first
    assert ">Sedan<" in again


def test_a_filled_in_form_is_written_afresh_with_its_errors() -> None:
    for field in Varied(initial=dict(FILLED)):
        form_fields.form_field(field)
    kept = len(form_fields._written)
    bound = Varied({"title": "", "count": "x", "kind": "z"}, initial=FILLED)
    assert not bound.is_valid()
    for field in bound:
        assert form_fields.form_field(field) == form_fields.written_field(field)
    assert "field-error" in form_fields.form_field(bound["title"])
    assert 'value="x"' in form_fields.form_field(bound["count"])
    assert len(form_fields._written) == kept


def test_an_unknown_widget_is_always_written() -> None:
    class Other(forms.Form):
        level = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
        flag = forms.BooleanField(required=False)

    for field in Other():
        assert form_fields.form_field(field) == form_fields.written_field(field)
    assert not form_fields._written


def test_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(form_fields, "KEPT_FIELDS", 3)
    for number in range(10):
        form_fields.form_field(Varied(initial={"title": str(number)})["title"])
    assert len(form_fields._written) == 3


def _without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.django_db
def test_the_follow_up_form_is_the_same_from_memory_as_written(
    cast: Cast,
    world: Any,  # noqa: F811 (the fixture imported from test_follow_up_views)
) -> None:
    client = client_for(cast, "admin_a")
    written = client.get(url("follow-up-edit")).content.decode()
    assert form_fields._written
    taken = client.get(url("follow-up-edit")).content.decode()
    assert _without_token(taken) == _without_token(written)
    assert 'name="narrative"' in taken
