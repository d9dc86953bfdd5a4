"""Shared fixtures for the whole test suite."""

from __future__ import annotations

import pytest
from django.conf import settings

from programme.services import LoadResult, load_programme_data


@pytest.fixture
def loaded_data(db: None) -> LoadResult:
    """The real programme versions and bodies from fixtures/, loaded into the test database."""
    return load_programme_data(settings.BASE_DIR / "fixtures")
