"""The one parser of typed numbers, and the form field built on it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from programme.numbers import NumberError, NumberField, number_text, parse_number


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("12", "12.00"),
        ("12,5", "12.50"),
        ("12.5", "12.50"),
        ("-3,25", "-3.25"),
        ("−3,25", "-3.25"),
        ("1 234,5", "1234.50"),
        ("1\u00a0234,5", "1234.50"),
        ("  7  ", "7.00"),
        ("999999999999,99", "999999999999.99"),
    ],
)
def test_numbers_are_read_as_swedes_and_word_processors_write_them(typed: str, value: str):
    assert parse_number(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_nothing_typed_is_no_number(typed: str | None):
    assert parse_number(typed) is None


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("många", "invalid"),
        ("1,2,3", "invalid"),
        ("NaN", "invalid"),
        ("Infinity", "invalid"),
        ("12,345", "decimals"),
        ("0,001", "decimals"),
        ("1000000000000", "too_large"),
        ("-1e12", "too_large"),
        ("1e30", "too_large"),
        ("9" * 60, "too_large"),
    ],
)
def test_a_number_that_cannot_be_kept_is_refused_with_the_reason(typed: str, reason: str):
    with pytest.raises(NumberError) as refused:
        parse_number(typed)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("mycket", "Skriv ett tal, till exempel 12 eller 12,5."),
        ("12,345", "Ange högst 2 decimaler."),
        ("1e30", "Talet är för stort: högst 12 siffror före decimalkommat."),
    ],
)
def test_the_form_field_says_in_swedish_why_a_number_is_refused(typed: str, message: str):
    with translation.override("sv"), pytest.raises(ValidationError) as refused:
        NumberField(required=False).clean(typed)
    with translation.override("sv"):
        assert refused.value.messages == [message]


def test_a_stored_number_is_shown_as_it_would_be_typed():
    with translation.override("sv"):
        assert number_text(Decimal("1234.50")) == "1234,5"
        assert NumberField().prepare_value(Decimal("-3.00")) == "-3"
    with translation.override("en"):
        assert number_text(Decimal("1234.50")) == "1234.5"
    assert number_text(None) == ""
