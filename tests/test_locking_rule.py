"""Every model of the project's apps answers the locking rule (``programme.models.versioned``).

A model a person edits carries a version of its own; one that does not says why, by
naming the versioned record that every save of its rows raises, or why no person edits
it. A model added later, in any app of the project, fails here until it does one or the
other.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from simple_history.models import HistoricalChanges

from programme.models.versioned import Versioned


def project_models() -> list[type[models.Model]]:
    """The concrete models defined in the project's own apps (not Django's, not history's)."""
    base = Path(settings.BASE_DIR).resolve()
    installed = Path(sys.prefix).resolve()
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if not path.is_relative_to(base) or path.is_relative_to(installed):
            continue
        for model in config.get_models():
            if issubclass(model, HistoricalChanges) or model._meta.auto_created:
                continue
            found.append(model)
    return found


def test_the_walk_sees_every_app_of_the_project():
    labels = {model._meta.app_label for model in project_models()}
    assert "programme" in labels
    assert {config.label for config in apps.get_app_configs()} >= {"remiss", "reporting"}


@pytest.mark.parametrize("model", project_models(), ids=lambda model: model.__name__)
def test_every_model_has_a_version_or_says_why_not(model: type[models.Model]):
    kept_by = getattr(model, "version_kept_by", None)
    reason = getattr(model, "not_edited", None)
    if issubclass(model, Versioned):
        assert kept_by is None and reason is None, (
            f"{model.__name__} has a version of its own and need not say why it has none."
        )
        return
    assert kept_by or reason, (
        f"{model.__name__} has no version: make it Versioned if people edit it, or set "
        "version_kept_by (the versioned record its saves raise) or not_edited (why no "
        "person edits it)."
    )
    if kept_by:
        parent = model._meta.get_field(kept_by).related_model
        assert isinstance(parent, type) and issubclass(parent, Versioned), (
            f"{model.__name__}.{kept_by} does not lead to a versioned record."
        )
    else:
        assert isinstance(reason, str) and len(reason) > 20


def test_a_model_without_a_mark_is_caught():
    # A stand-in, not a real model: one declared here would join the app registry.
    unmarked = type("Unmarked", (), {})

    with pytest.raises(AssertionError, match="has no version"):
        test_every_model_has_a_version_or_says_why_not(unmarked)
