"""What the programme pages read.

Each function fetches everything its page shows in a fixed number of queries,
however many rows there are: relations are joined or prefetched, never fetched per row.
"""

from __future__ import annotations

from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404

from programme.models import (
    FocusArea,
    FocusAreaSuccession,
    GoalArea,
    Programme,
)


def programme_versions() -> list[Programme]:
    """Every programme version, oldest first, with the version each supersedes (one query)."""
    return list(Programme.objects.select_related("supersedes").order_by("first_year", "name"))


def get_programme_for_page(slug: str) -> Programme:
    """One programme version with all its page shows, or 404 (seven queries).

    The version it supersedes comes joined; the versions superseding it, its goal areas,
    its focus areas with their goal areas, and where each focus area's content went and
    came from come prefetched.
    """
    goal_areas = GoalArea.objects.order_by("position")
    focus_areas = FocusArea.objects.order_by("position").prefetch_related(
        Prefetch("goal_areas", queryset=goal_areas),
        Prefetch(
            "successions",
            queryset=FocusAreaSuccession.objects.select_related("successor__programme").order_by(
                # Content that left the lineage (no successor) comes after the links.
                F("successor__programme__first_year").asc(nulls_last=True),
                "successor__programme__name",
                "successor__position",
                "pk",
            ),
        ),
        Prefetch(
            "predecessions",
            queryset=FocusAreaSuccession.objects.select_related("source__programme").order_by(
                "source__programme__first_year", "source__programme__name", "source__position", "pk"
            ),
        ),
    )
    queryset = Programme.objects.select_related("supersedes").prefetch_related(
        Prefetch("superseded_by", queryset=Programme.objects.order_by("first_year", "name")),
        Prefetch("goal_areas", queryset=goal_areas),
        Prefetch("focus_areas", queryset=focus_areas),
    )
    return get_object_or_404(queryset, slug=slug)
