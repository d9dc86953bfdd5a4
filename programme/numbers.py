"""Numbers as people type them: one parser for every form and service.

Swedish writes a decimal comma and often groups thousands with a space; text copied
from a word processor brings a typographic minus (U+2212) and no-break spaces. Every
number the product stores (indicator baselines, targets and outcomes, the council's
targets) has two decimals in at most fourteen digits.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Two decimals in at most fourteen digits, as the models store them.
NUMBER_PLACES = Decimal("0.01")
NUMBER_LIMIT = Decimal("1e12")

# Spaces a person or a word processor puts between groups of digits.
_SPACES = str.maketrans({" ": None, "\u00a0": None, "\u202f": None, "\u2009": None})


class NumberError(ValueError):
    """Typed text that is not a number the product can store; ``reason`` says why."""

    def __init__(self, value: Any, reason: str) -> None:
        super().__init__(value)
        self.reason = reason


def parse_number(value: Any) -> Decimal | None:
    """A typed number as a Decimal with two decimals, or None when nothing was typed.

    Accepts a decimal comma or point, "-" or "−" and spaces between digit groups.
    Raises ``NumberError`` (a ``ValueError``) for anything that is not a finite number
    (reason "invalid"), has more than two decimals ("decimals") or is too large to keep
    ("too_large"): a number is never rounded behind the user's back.
    """
    if value is None:
        return None
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value).strip().translate(_SPACES).replace("\u2212", "-").replace(",", ".")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise NumberError(value, "invalid") from None
    if not number.is_finite():
        raise NumberError(value, "invalid")
    # The size first: quantizing a number of more digits than the context holds fails.
    if abs(number) >= NUMBER_LIMIT:
        raise NumberError(value, "too_large")
    if number != number.quantize(NUMBER_PLACES):
        raise NumberError(value, "decimals")
    return number.quantize(NUMBER_PLACES)


def number_text(value: Decimal | None) -> str:
    """A stored number as a person types it: no needless zeros, a decimal comma in Swedish."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text if (get_language() or "sv").startswith("en") else text.replace(".", ",")


def shown_number(value: Any) -> str:
    """A number of any kind (Decimal, int, float, or its text) as ``number_text`` writes it.

    Nothing stored (None, "") is the empty string; what is not a number is shown as it is.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, bool):
        return str(value)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return number_text(number) if number.is_finite() else str(value)


def number_error_message(error: NumberError) -> str:
    """What to tell the person who typed the number that ``error`` refused."""
    return str(NumberField.default_error_messages[error.reason])


class NumberField(forms.CharField):
    """A form field for a number typed the way ``parse_number`` reads it."""

    default_error_messages = {
        "invalid": _("Enter a number, such as 12 or 12,5."),
        "decimals": _("Give at most 2 decimals."),
        "too_large": _("The number is too large: at most 12 digits before the decimal comma."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        kwargs.pop("localize", None)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        """Show a stored number the way the user would type it."""
        if isinstance(value, Decimal):
            return number_text(value)
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        """The typed text as a number, or a validation error in the user's language."""
        try:
            return parse_number(value)
        except NumberError as error:
            raise ValidationError(self.error_messages[error.reason], code=error.reason) from None
