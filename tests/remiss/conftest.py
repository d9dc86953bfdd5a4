"""Fixtures of the referral tests: the historical rounds loaded over the shared programme data.

The history is loaded only where a test asks for it: in the shared world it would hold
focus areas and bodies that other apps' tests remove. A test asking for
``referral_history`` gets it loaded in its own transaction. A module whose tests all
read it loads it once instead (``history_for_module``): in a transaction that stays open
for the module and is rolled back at its end, each test running in a savepoint within
it, so no test sees another's changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from programme.services.fixtures import LoadResult
from remiss.services.referral_history import HistoryResult, load_referral_history
from tests.conftest import FIXTURES_DIR


@pytest.fixture
def referral_history(loaded_data: LoadResult) -> HistoryResult:
    """The rounds the five seed responses answered, with those responses, as history."""
    return load_referral_history(FIXTURES_DIR)


@pytest.fixture(scope="module")
def history_for_module(django_db_setup: None, django_db_blocker: Any) -> Iterator[HistoryResult]:
    """The history loaded once for the module, rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_referral_history(FIXTURES_DIR)
        transaction.set_rollback(True)
