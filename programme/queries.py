"""What the programme pages read.

Each function fetches everything its page shows in a fixed number of queries,
however many rows there are: relations are joined or prefetched, never fetched per row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.models import (
    Body,
    BodyKind,
    FocusArea,
    FocusAreaSuccession,
    GoalArea,
    Programme,
    ProgrammeStatus,
)


def programmes_in_force() -> list[Programme]:
    """Adopted versions that no later version has superseded yet (one query)."""
    return list(
        Programme.objects.filter(status=ProgrammeStatus.ADOPTED).order_by("kind", "first_year")
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


# Headings for the groups on the body list; the kinds' own labels are singular.
BODY_KIND_HEADINGS = {
    BodyKind.DISTRICT_COMMITTEE: _("District committees"),
    BodyKind.SPECIALIST_COMMITTEE: _("Specialist committees"),
    BodyKind.COMPANY_BOARD: _("Company boards"),
    BodyKind.EXECUTIVE_BOARD: _("Executive board"),
}


@dataclass
class BodyGroup:
    """The bodies of one kind, split into those that still exist and those that have ended."""

    kind: BodyKind
    active: list[Body] = field(default_factory=list)
    former: list[Body] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """The group's heading in the active language."""
        return str(BODY_KIND_HEADINGS[self.kind])


# Swedish alphabetical order puts å, ä and ö after z, in that order, and files é and ü
# under e and y. Databases disagree (PostgreSQL with the C collation sorts ä before å),
# so names are ordered here rather than by the database.
_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "è": "e", "ü": "y"})


def swedish_sort_key(text: str) -> str:
    """A key that sorts names in Swedish alphabetical order."""
    return text.casefold().translate(_SWEDISH_ORDER)


def bodies_by_kind(today: datetime.date | None = None) -> list[BodyGroup]:
    """Every body with its predecessors and successors, grouped by kind (three queries)."""
    day = today or timezone.localdate()
    bodies: QuerySet[Body] = Body.objects.order_by("name", "valid_from").prefetch_related(
        Prefetch("predecessors", queryset=Body.objects.order_by("name")),
        Prefetch("successors", queryset=Body.objects.order_by("name")),
    )
    groups = {kind: BodyGroup(kind=kind) for kind in BodyKind}
    ordered = sorted(
        bodies, key=lambda body: (swedish_sort_key(body.name), body.valid_from or datetime.date.min)
    )
    for body in ordered:
        group = groups[BodyKind(body.kind)]
        if body.has_ended_by(day):
            group.former.append(body)
        else:
            group.active.append(body)
    return [group for group in groups.values() if group.active or group.former]
