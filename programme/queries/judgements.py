"""Goal judgements counted as the city's annual report does, committees and companies apart."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programme import access
from programme.access import AnyUser
from programme.models import (
    BodyKind,
    FocusArea,
    FollowUp,
    FollowUpPeriod,
    FollowUpState,
    GoalJudgement,
    Judgement,
)

# The kinds the city counts as companies (bolag); every other body is a committee (nämnd).
COMPANY_KINDS = frozenset({BodyKind.COMPANY_BOARD})


@dataclass(frozen=True)
class JudgementCounts:
    """How many judgements said fully, partly, not met and not assessed."""

    fully_met: int = 0
    partly_met: int = 0
    not_met: int = 0
    not_assessed: int = 0

    @property
    def total(self) -> int:
        """Every judgement counted."""
        return self.fully_met + self.partly_met + self.not_met + self.not_assessed

    def as_list(self) -> list[int]:
        """The counts in the order of ``Judgement``."""
        return [self.fully_met, self.partly_met, self.not_met, self.not_assessed]

    @classmethod
    def from_mapping(cls, counts: dict[str, int]) -> JudgementCounts:
        """Counts keyed by ``Judgement`` value; other keys are ignored."""
        return cls(
            fully_met=counts.get(Judgement.FULLY_MET, 0),
            partly_met=counts.get(Judgement.PARTLY_MET, 0),
            not_met=counts.get(Judgement.NOT_MET, 0),
            not_assessed=counts.get(Judgement.NOT_ASSESSED, 0),
        )


def judgements_by_focus_area(
    user: AnyUser, year: int, period: str, focus_areas: list[FocusArea]
) -> list[tuple[FocusArea, JudgementCounts]]:
    """The bodies' goal judgements for the period per focus area (one query).

    Each judgement of a goal counts once in every focus area the goal was linked to when
    its follow-up was submitted (the row's snapshot); only submitted and approved
    follow-ups count.
    """
    judgements = access.restrict(
        GoalJudgement.objects.filter(
            follow_up__plan__year=year,
            follow_up__period=period,
            follow_up__state__in=COUNTED_STATES,
        ),
        user,
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for item in (
        judgements.filter(focus_areas__isnull=False)
        .values("focus_areas", "judgement")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        counts[item["focus_areas"]][item["judgement"]] = item["count"]
    return [(area, JudgementCounts.from_mapping(counts.get(area.pk, {}))) for area in focus_areas]


class BodyGroup(models.TextChoices):
    """How the annual report counts bodies: committees apart from companies."""

    COMMITTEES = "committees", _("committees")
    COMPANIES = "companies", _("companies")


@dataclass(frozen=True)
class CouncilGoalCount:
    """One group's judgements of the council goal in the annual follow-up."""

    group: BodyGroup
    counts: JudgementCounts

    @property
    def sentence(self) -> str:
        """The count in the city's words (see ``council_goal_sentence``)."""
        return council_goal_sentence(self.group, self.counts)


def council_goal_counts(user: AnyUser, year: int) -> list[CouncilGoalCount]:
    """How many committees and, apart, companies judged the council goal how (one query).

    Only annual follow-ups that are submitted or approved and carry a judgement count.
    """
    follow_ups = access.restrict(
        FollowUp.objects.filter(
            plan__year=year, period=FollowUpPeriod.ANNUAL, state__in=COUNTED_STATES
        ).exclude(council_goal_judgement=""),
        user,
    )
    by_group: dict[BodyGroup, dict[str, int]] = {group: defaultdict(int) for group in BodyGroup}
    for item in (
        follow_ups.values("plan__body__kind", "council_goal_judgement")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        group = (
            BodyGroup.COMPANIES
            if item["plan__body__kind"] in COMPANY_KINDS
            else BodyGroup.COMMITTEES
        )
        by_group[group][item["council_goal_judgement"]] += item["count"]
    return [
        CouncilGoalCount(group=group, counts=JudgementCounts.from_mapping(by_group[group]))
        for group in BodyGroup
    ]


def council_goal_sentence(group: BodyGroup, counts: JudgementCounts) -> str:
    """The city's sentence: "23 av 30 nämnder bedömer att målet uppnås helt och 7 delvis".

    The total is every body of the group that judged the goal (not assessed included);
    a clause with nothing to count is left out, as the annual report does. The plural
    follows the total ("1 av 1 nämnd", "23 av 30 nämnder").
    """
    total = counts.total
    values = {
        "fully": counts.fully_met,
        "partly": counts.partly_met,
        "not_met": counts.not_met,
        "total": total,
    }
    if total == 0:
        if group == BodyGroup.COMPANIES:
            return str(_("No company has judged the council goal yet."))
        return str(_("No committee has judged the council goal yet."))
    partly, not_met = counts.partly_met > 0, counts.not_met > 0
    if group == BodyGroup.COMPANIES:
        if partly and not_met:
            text = ngettext(
                "%(fully)s of %(total)s company judges that the goal is fully met, "
                "%(partly)s partly and %(not_met)s not at all",
                "%(fully)s of %(total)s companies judge that the goal is fully met, "
                "%(partly)s partly and %(not_met)s not at all",
                total,
            )
        elif partly:
            text = ngettext(
                "%(fully)s of %(total)s company judges that the goal is fully met "
                "and %(partly)s partly",
                "%(fully)s of %(total)s companies judge that the goal is fully met "
                "and %(partly)s partly",
                total,
            )
        elif not_met:
            text = ngettext(
                "%(fully)s of %(total)s company judges that the goal is fully met "
                "and %(not_met)s not at all",
                "%(fully)s of %(total)s companies judge that the goal is fully met "
                "and %(not_met)s not at all",
                total,
            )
        else:
            text = ngettext(
                "%(fully)s of %(total)s company judges that the goal is fully met",
                "%(fully)s of %(total)s companies judge that the goal is fully met",
                total,
            )
    elif partly and not_met:
        text = ngettext(
            "%(fully)s of %(total)s committee judges that the goal is fully met, "
            "%(partly)s partly and %(not_met)s not at all",
            "%(fully)s of %(total)s committees judge that the goal is fully met, "
            "%(partly)s partly and %(not_met)s not at all",
            total,
        )
    elif partly:
        text = ngettext(
            "%(fully)s of %(total)s committee judges that the goal is fully met "
            "and %(partly)s partly",
            "%(fully)s of %(total)s committees judge that the goal is fully met "
            "and %(partly)s partly",
            total,
        )
    elif not_met:
        text = ngettext(
            "%(fully)s of %(total)s committee judges that the goal is fully met "
            "and %(not_met)s not at all",
            "%(fully)s of %(total)s committees judge that the goal is fully met "
            "and %(not_met)s not at all",
            total,
        )
    else:
        text = ngettext(
            "%(fully)s of %(total)s committee judges that the goal is fully met",
            "%(fully)s of %(total)s committees judge that the goal is fully met",
            total,
        )
    return text % values


# Follow-ups whose judgements count: the body has handed them in.
COUNTED_STATES = (FollowUpState.SUBMITTED, FollowUpState.APPROVED)
