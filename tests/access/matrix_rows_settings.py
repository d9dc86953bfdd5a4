"""Access-matrix rows of SLK's yearly settings: deadlines and the council goal."""

from __future__ import annotations

from programme.models import CouncilGoal, CouncilIndicator
from programme.models.year_settings import DEFAULT_COUNCIL_GOAL_TITLE
from tests.access.matrix_support import Row, World, answers, programme_url, this_year


def council_indicator_pk(world: World) -> int:
    """An indicator of this year's council goal, made inside the asking test's savepoint.

    The shared world has deadlines but no council goal; making the goal here keeps it
    to the rows that need it, and the test's rollback removes it again.
    """
    goal, _ = CouncilGoal.objects.get_or_create(
        year=world.year, defaults={"title": DEFAULT_COUNCIL_GOAL_TITLE}
    )
    indicator, _ = CouncilIndicator.objects.get_or_create(
        council_goal=goal, name="Andel invånare som känner sig trygga", defaults={"unit": "%"}
    )
    return indicator.pk


def rows() -> list[Row]:
    """One row per URL pattern of this part of the site."""
    slk_only = answers(403, slk=200)
    return [
        # The access log: SLK and the system administrators read it; nobody posts to it.
        Row(
            "programme:access-log",
            "programme:access-log",
            programme_url("access-log"),
            answers(403, slk=200, sysadmin=200),
            answers(405),
        ),
        # An empty POST is refused (no dates given) and the page shown again.
        Row(
            "programme:year-settings",
            "programme:year-settings",
            programme_url("year-settings", year=this_year),
            slk_only,
            slk_only,
        ),
        # An empty POST is refused (no name given) and the form shown again.
        Row(
            "programme:council-indicator-create",
            "programme:council-indicator-create",
            programme_url("council-indicator-create", year=this_year),
            slk_only,
            slk_only,
        ),
        Row(
            "programme:council-indicator-edit",
            "programme:council-indicator-edit",
            programme_url("council-indicator-edit", pk=council_indicator_pk),
            slk_only,
            slk_only,
        ),
        # SLK's POST removes the indicator and leads back to the year's settings.
        Row(
            "programme:council-indicator-delete",
            "programme:council-indicator-delete",
            programme_url("council-indicator-delete", pk=council_indicator_pk),
            slk_only,
            answers(403, slk=302),
            post_data={"version": "1"},
            last="slk",
        ),
    ]
