"""What the body pages read: every body grouped by kind, with its mergers and renames."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.models import (
    Body,
    BodyKind,
)
from programme.sorting import swedish_sort_key

# Headings for the groups on the body list; the kinds' own labels are singular.
BODY_KIND_HEADINGS = {
    BodyKind.DISTRICT_COMMITTEE: _("District committees"),
    BodyKind.SPECIALIST_COMMITTEE: _("Specialist committees"),
    BodyKind.COMPANY_BOARD: _("Company boards"),
    BodyKind.EXECUTIVE_BOARD: _("Executive board"),
}


@dataclass
class BodiesOfKind:
    """The bodies of one kind, split into those that still exist and those that have ended."""

    kind: BodyKind
    active: list[Body] = field(default_factory=list)
    former: list[Body] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """The group's heading in the active language."""
        return str(BODY_KIND_HEADINGS[self.kind])


def bodies_by_kind(today: datetime.date | None = None) -> list[BodiesOfKind]:
    """Every body with its predecessors and successors, grouped by kind (three queries)."""
    day = today or timezone.localdate()
    bodies: QuerySet[Body] = Body.objects.order_by("name", "valid_from").prefetch_related(
        Prefetch("predecessors", queryset=Body.objects.order_by("name")),
        Prefetch("successors", queryset=Body.objects.order_by("name")),
    )
    groups = {kind: BodiesOfKind(kind=kind) for kind in BodyKind}
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
