"""Forms of the programme app, one module per subject."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms import BaseForm
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from programme.history import HistoryEntry
from programme.locking import EditConflict

ModelT = TypeVar("ModelT", bound=models.Model)

MISSING_VERSION = _("The form is missing the version it was opened at. Open the page again.")


def add_refusal(form: BaseForm, error: ValidationError) -> None:
    """Show a service's refusal next to the fields it names, anything else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def seen_version_field() -> forms.IntegerField:
    """The hidden field in which a form names the version of the record it was opened at.

    0 names a record that was not there yet when the form was opened.
    """
    return forms.IntegerField(
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={"required": MISSING_VERSION, "invalid": MISSING_VERSION},
    )


class SeenVersionForm(forms.ModelForm[ModelT]):
    """A model form for a record two people may edit: it names the version it saw.

    The service compares it under the record's lock (``programme.locking``); a stale
    save is shown again with ``show_conflict``.
    """

    version = seen_version_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance: Any = self.instance
        self.fields["version"].initial = instance.version if instance.pk else 0

    def seen_version(self) -> int:
        """The version the form was opened at (after validation)."""
        return int(self.cleaned_data["version"])


class ConfirmForm(forms.Form):
    """A confirmation (of a deletion) that names the version of the record it was asked on."""

    version = seen_version_field()


def show_conflict(form: BaseForm, conflict: EditConflict) -> list[HistoryEntry]:
    """Show a refused stale save on its form and return what the other person changed.

    The person's input stays in the form, which now names the version the record stands
    at, so checking the changes and saving again goes through.
    """
    data = cast(QueryDict, form.data).copy()
    data[form.add_prefix("version")] = str(conflict.record.version)  # type: ignore[attr-defined]
    form.data = data
    form.full_clean()
    form.add_error(None, conflict.message)
    return conflict.changes
