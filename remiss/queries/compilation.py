"""What the compilation pages read: a round's statements per section with SLK's dispositions.

Every read goes through the access module: SLK's pages through ``restrict`` (SLK reads
every statement). What readers of the published compilation see, the statements as the
publication keeps them, is read by ``remiss.queries.publication``. Each page reads a
fixed number of queries however many statements the round holds (pinned in
tests/remiss/test_compilation_queries.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils.text import capfirst

from programme import access
from programme.access import AnyUser
from programme.models import Body
from programme.queries.judgements import COMPANY_KINDS, BodyGroup
from programme.sorting import swedish_sort_key
from remiss.models import (
    CompilationPublication,
    Disposition,
    DispositionOutcome,
    Referral,
    ReferralSection,
    ResponseState,
    Stance,
    Statement,
)


def compiled_statements(referral_id: int) -> QuerySet[Statement]:
    """The statements a round's compilation holds: those of its submitted responses."""
    return Statement.objects.filter(
        response__referral_id=referral_id, response__state=ResponseState.SUBMITTED
    )


def current_publication(referral_id: int) -> CompilationPublication | None:
    """The round's current publication of its compilation, if SLK has published it."""
    return (
        CompilationPublication.objects.filter(referral_id=referral_id, superseded_at__isnull=True)
        .select_related("published_by")
        .first()
    )


def group_of(body: Body) -> BodyGroup:
    """Committees apart from companies, as the city's annual report counts them."""
    return BodyGroup.COMPANIES if body.kind in COMPANY_KINDS else BodyGroup.COMMITTEES


@dataclass(frozen=True)
class CompilationFilters:
    """The page's narrowing by body kind (committees or companies) and by stance."""

    group: str = ""
    stance: str = ""


@dataclass(frozen=True)
class StatementRow:
    """One statement as the compilation shows it, with SLK's disposition if recorded."""

    statement: Statement
    section: ReferralSection
    body: Body
    group: BodyGroup
    disposition: Disposition | None


def _rows(
    statements: QuerySet[Statement], sections: dict[int, ReferralSection]
) -> list[StatementRow]:
    """Rows of ``statements`` (one query), by section, then body in Swedish order."""
    # Sorted here, so the models' orderings (joins to the round and the body) are not asked.
    loaded = statements.select_related("response__body", "disposition").order_by()
    rows = []
    for statement in loaded:
        body = statement.response.body
        rows.append(
            StatementRow(
                statement=statement,
                section=sections[statement.section_id],
                body=body,
                group=group_of(body),
                disposition=getattr(statement, "disposition", None),
            )
        )
    rows.sort(
        key=lambda row: (
            row.section.position,
            swedish_sort_key(row.body.name),
            row.statement.position,
        )
    )
    return rows


# --- SLK's pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionSummary:
    """A section of the draft with how many statements address it, by stance."""

    section: ReferralSection
    total: int
    disposed: int
    stances: list[tuple[Stance, int]]


@dataclass(frozen=True)
class CompilationIndex:
    """A round's sections with their counts, and the publications of its compilation."""

    referral: Referral
    sections: list[SectionSummary]
    publications: list[CompilationPublication]

    @property
    def total(self) -> int:
        return sum(summary.total for summary in self.sections)

    @property
    def disposed(self) -> int:
        return sum(summary.disposed for summary in self.sections)

    @property
    def current(self) -> CompilationPublication | None:
        return next((item for item in self.publications if item.superseded_at is None), None)


def _sections(referral: Referral) -> dict[int, ReferralSection]:
    """The round's sections by id, in order (one query)."""
    return {
        section.pk: section
        for section in referral.sections.select_related("focus_area").order_by("position")
    }


def compilation_index(user: AnyUser, referral: Referral) -> CompilationIndex:
    """SLK's overview of a round's compilation (three queries)."""
    sections = _sections(referral)
    counts: dict[int, Counter[str]] = {pk: Counter() for pk in sections}
    disposed: Counter[int] = Counter()
    for item in (
        access.restrict(compiled_statements(referral.pk), user)
        .values("section_id", "stance")
        .annotate(count=Count("pk"), disposed=Count("disposition"))
        .order_by()
    ):
        counts[item["section_id"]][item["stance"]] += item["count"]
        disposed[item["section_id"]] += item["disposed"]
    summaries = [
        SectionSummary(
            section=section,
            total=sum(counts[pk].values()),
            disposed=disposed[pk],
            stances=[(stance, counts[pk].get(stance.value, 0)) for stance in Stance],
        )
        for pk, section in sections.items()
    ]
    publications = list(
        CompilationPublication.objects.filter(referral=referral).select_related("published_by")
    )
    return CompilationIndex(referral=referral, sections=summaries, publications=publications)


def disposition_prefix(statement_id: int) -> str:
    """The prefix of a statement's disposition form, the same on its page and inline."""
    return f"statement-{statement_id}"


@dataclass(frozen=True)
class SectionRow:
    """A statement as the section page shows it, with its inline disposition form's values.

    Read as plain values, not models: a page of a hundred statements would otherwise make
    four hundred model instances. The page writes the form's inputs itself
    (``remiss.forms.compilation.InlineDispositionInputs``) with the names and ids
    ``DispositionForm`` gives them under ``prefix`` (``statement-<pk>``, also the row's
    anchor, where a save returns to). ``version`` is the disposition's version the form is
    opened at, 0 when none is recorded yet; ``outcome`` is "" then.
    """

    pk: int
    prefix: str
    body_name: str
    group: BodyGroup
    group_label: str
    stance: str
    stance_label: str
    text: str
    outcome: str
    reason: str
    version: int


def _section_rows(statements: QuerySet[Statement]) -> list[SectionRow]:
    """The section page's rows of ``statements`` (one query), bodies in Swedish order."""
    # Translated once here, not on every row.
    stance_labels = {stance.value: str(capfirst(stance.label)) for stance in Stance}
    group_labels = {group: str(capfirst(group.label)) for group in BodyGroup}
    values = statements.order_by().values_list(
        "pk",
        "position",
        "stance",
        "text",
        "response__body__name",
        "response__body__kind",
        "disposition__outcome",
        "disposition__reason",
        "disposition__version",
    )
    ordered = sorted(values, key=lambda value: (swedish_sort_key(value[4]), value[1]))
    rows = []
    for pk, _position, stance, text, body_name, kind, outcome, reason, version in ordered:
        group = BodyGroup.COMPANIES if kind in COMPANY_KINDS else BodyGroup.COMMITTEES
        rows.append(
            SectionRow(
                pk=pk,
                prefix=disposition_prefix(pk),
                body_name=body_name,
                group=group,
                group_label=group_labels[group],
                stance=stance,
                stance_label=stance_labels.get(stance, stance),
                text=text,
                outcome=outcome or "",
                reason=reason or "",
                version=version or 0,
            )
        )
    return rows


def outcome_choices() -> list[tuple[str, str]]:
    """The outcomes of a disposition as its form lists them (value, label), in the language now."""
    return [(value, str(capfirst(label))) for value, label in DispositionOutcome.choices]


@dataclass(frozen=True)
class SectionPage:
    """One section of the draft: its statements side by side, filtered, with their counts."""

    referral: Referral
    section: ReferralSection
    sections: list[ReferralSection]
    filters: CompilationFilters
    rows: list[SectionRow]
    # Counted over the body kind chosen, every stance: what the stance filter picks from.
    stances: list[tuple[Stance, int]]
    total: int
    group_counts: list[tuple[BodyGroup, int]] = field(default_factory=list)


def section_page(
    user: AnyUser, referral: Referral, section_id: int, filters: CompilationFilters
) -> SectionPage | None:
    """A section's statements side by side (two queries); None if the round has no such section."""
    sections = _sections(referral)
    section = sections.get(section_id)
    if section is None:
        return None
    statements = access.restrict(compiled_statements(referral.pk), user).filter(section=section)
    every = _section_rows(statements)
    groups = Counter(row.group for row in every)
    of_group = [row for row in every if not filters.group or row.group == filters.group]
    shown = [row for row in of_group if not filters.stance or row.stance == filters.stance]
    counted = Counter(row.stance for row in of_group)
    return SectionPage(
        referral=referral,
        section=section,
        sections=list(sections.values()),
        filters=filters,
        rows=shown,
        stances=[(stance, counted.get(stance.value, 0)) for stance in Stance],
        total=len(every),
        group_counts=[(group, groups.get(group, 0)) for group in BodyGroup],
    )


def compilation_rows(user: AnyUser, referral: Referral) -> list[StatementRow]:
    """Every statement of the compilation the user may read, for SLK's Excel file (two queries)."""
    return _rows(access.restrict(compiled_statements(referral.pk), user), _sections(referral))
