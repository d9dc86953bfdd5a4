"""Fixtures of the referral tests: the historical rounds loaded over the shared programme data.

The history is loaded inside each test's own transaction, only where a test asks for it:
in the shared world it would hold focus areas and bodies that other apps' tests remove.
"""

from __future__ import annotations

import pytest

from programme.services.fixtures import LoadResult
from remiss.services.referral_history import HistoryResult, load_referral_history
from tests.conftest import FIXTURES_DIR


@pytest.fixture
def referral_history(loaded_data: LoadResult) -> HistoryResult:
    """The rounds the five seed responses answered, with those responses, as history."""
    return load_referral_history(FIXTURES_DIR)
