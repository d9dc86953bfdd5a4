"""Forms of the programme app, one module per subject."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import BaseForm


def add_refusal(form: BaseForm, error: ValidationError) -> None:
    """Show a service's refusal next to the fields it names, anything else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
