"""The years the product keeps records for: one rule for plans, duties and SLK's settings."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

# The first year the product keeps plans, duties and yearly settings for.
FIRST_YEAR = 2000
# The last year a yearly setting may name (deadlines, the council goal); the models'
# validators say the same.
LAST_YEAR = 2100

YEAR_VALIDATORS = [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]


def last_record_year() -> int:
    """The last year a body's records may concern: next year (plans and coordinators are
    named ahead of the year)."""
    return timezone.localdate().year + 1


def is_record_year(year: int) -> bool:
    """Whether a body's plan or duties may be kept for ``year``."""
    return FIRST_YEAR <= year <= last_record_year()


def record_years() -> range:
    """Every year a body's records may concern, oldest first."""
    return range(FIRST_YEAR, last_record_year() + 1)
