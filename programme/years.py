"""The years the product keeps records for: one rule for plans, duties and SLK's settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Min
from django.utils import timezone

if TYPE_CHECKING:
    from programme.models import Body

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


def first_year_in_force() -> int | None:
    """The first year any programme version is in force, or None before one is adopted.

    A version stays in force until a later one in force supersedes it
    (``programme.lineage``), so from this year on every year has one in force: the years
    with a programme in force are exactly those from here on. One query.
    """
    # Imported here: the models import this module for their year validators.
    from programme.lineage import IN_FORCE_STATUSES
    from programme.models import Programme

    first: int | None = Programme.objects.filter(status__in=IN_FORCE_STATUSES).aggregate(
        first=Min("first_year")
    )["first"]
    return first


def navigable_years(body: Body | None = None) -> range:
    """The years a year switch may lead to, oldest first (one query).

    Only years with a programme version in force and, for a body's pages, years in which
    the body existed; never beyond the records' last year.
    """
    first = first_year_in_force()
    if first is None:
        return range(0)
    start, end = max(FIRST_YEAR, first), last_record_year()
    if body is not None:
        return body.years_existed(start, end)
    return range(start, end + 1)


def year_links(year: int, body: Body | None = None) -> dict[str, int | None]:
    """The nearest years before and after ``year`` that a year switch may lead to.

    The context of ``templates/programme/duties/_year_nav.html``: ``previous_year`` and
    ``next_year``, None where there is none (one query).
    """
    years = navigable_years(body)
    earlier = [other for other in years if other < year]
    later = [other for other in years if other > year]
    return {
        "previous_year": earlier[-1] if earlier else None,
        "next_year": later[0] if later else None,
    }
