"""Fixtures of the reporting tests: the report world over the shared programme data."""

from __future__ import annotations

import pytest

from programme.models import FocusArea
from programme.services.fixtures import LoadResult
from tests.conftest import Cast
from tests.reporting.report_world import ReportWorld, make_report_world


@pytest.fixture
def report_world(loaded_data: LoadResult, cast: Cast) -> ReportWorld:
    """Järva's 2025 with every construct a report prints (see ``report_world``)."""
    area = FocusArea.objects.filter(programme__slug="sakerhetsprogram-2024").order_by("number")[0]
    return make_report_world(cast, area)
