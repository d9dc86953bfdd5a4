"""Fixtures of the reporting tests: the report world over the shared programme data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from programme.models import FocusArea
from programme.services.fixtures import LoadResult
from tests.conftest import Cast
from tests.reporting.report_world import ReportWorld, make_report_world


@pytest.fixture
def report_world(loaded_data: LoadResult, cast: Cast) -> ReportWorld:
    """Järva's 2025 with every construct a report prints (see ``report_world``)."""
    area = FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024").order_by("number")[0]
    return make_report_world(cast, area)


@pytest.fixture
def report_files(tmp_path: Path) -> Iterator[Path]:
    """The folder this test's rendered reports go to (the ``reports`` storage)."""
    folder = tmp_path / "reports"
    storages = dict(settings.STORAGES)
    storages["reports"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(folder), "base_url": None},
    }
    with override_settings(STORAGES=storages):
        yield folder
