"""The programme lineage: which versions are in force in a year, and where a focus area's
content went in the versions that followed.

The one rule for both; the start page, the plans, the data generators and the reports
all ask here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, OuterRef

from programme.models import (
    CarryOverIssue,
    FocusArea,
    FocusAreaSuccession,
    Programme,
    ProgrammeStatus,
)

# A version counts in a year once adopted, and still counts after a later one replaced it
# in some later year; drafts and versions on referral never do.
IN_FORCE_STATUSES = (ProgrammeStatus.ADOPTED, ProgrammeStatus.SUPERSEDED)


def in_force_queryset(year: int) -> models.QuerySet[Programme]:
    """The versions in force in ``year``, as a lazy queryset (a subquery where it is used).

    A version is in force from its first year until a later adopted version that names
    it in ``supersedes`` takes effect; its own last year does not end it, because the
    city keeps working under it until the next one is adopted. A trygghetsprogram and a
    säkerhetsprogram may be in force side by side.
    """
    later = Programme.objects.filter(
        supersedes=OuterRef("pk"), status__in=IN_FORCE_STATUSES, first_year__lte=year
    )
    return Programme.objects.filter(status__in=IN_FORCE_STATUSES, first_year__lte=year).filter(
        ~Exists(later)
    )


def programmes_in_force(year: int) -> list[Programme]:
    """The programme versions in force in ``year``, oldest first (one query)."""
    return list(in_force_queryset(year).order_by("first_year", "name"))


def focus_areas_in_force(year: int) -> list[FocusArea]:
    """The focus areas of every version in force in ``year``, by version (one query)."""
    return list(
        FocusArea.objects.filter(programme__in=in_force_queryset(year))
        .select_related("programme")
        .order_by("programme__first_year", "programme__name", "position")
    )


@dataclass(frozen=True)
class LineageMapping:
    """Where one focus area leads in a year: its successors in force, and whether part of
    its content went where no version in force follows it (left the lineage, or ended)."""

    successors: tuple[FocusArea, ...]
    content_left: bool

    @property
    def kind(self) -> str | None:
        """The carry-over issue this mapping raises, or None when it maps one to one."""
        if not self.successors:
            return CarryOverIssue.Kind.UNMAPPED
        if len(self.successors) > 1 or self.content_left:
            return CarryOverIssue.Kind.SPLIT
        return None


def map_focus_areas(area_ids: Iterable[int], year: int) -> dict[int, LineageMapping]:
    """Each focus area's successors in force in ``year``, followed transitively (3 queries).

    A focus area of a version in force maps to itself. Otherwise its successions are
    followed, version by version, until a focus area of a version in force is reached.
    A succession with no successor (content that left the programme, per its note) or a
    successor that leads nowhere in force marks part of the content as gone.
    """
    wanted = set(area_ids)
    if not wanted:
        return {}
    in_force = set(in_force_queryset(year).values_list("pk", flat=True))
    areas = FocusArea.objects.select_related("programme").in_bulk()
    successions: dict[int, list[int | None]] = {}
    for source_id, successor_id in FocusAreaSuccession.objects.values_list(
        "source_id", "successor_id"
    ):
        successions.setdefault(source_id, []).append(successor_id)
    result = {}
    for area_id in wanted:
        found: list[int] = []
        left = False
        seen = {area_id}
        stack = [area_id]
        while stack:
            current = stack.pop()
            if areas[current].programme_id in in_force:
                found.append(current)
                continue
            following = successions.get(current, [])
            if not following:
                left = True
            for next_id in following:
                if next_id is None:
                    left = True
                elif next_id not in seen:
                    seen.add(next_id)
                    stack.append(next_id)
        ordered = sorted(
            (areas[pk] for pk in found),
            key=lambda area: (area.programme.first_year, area.programme.name, area.position),
        )
        result[area_id] = LineageMapping(successors=tuple(ordered), content_left=left)
    return result
