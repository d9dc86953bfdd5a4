"""What the compilation pages read: a round's statements per section with SLK's dispositions.

Every read goes through the access module: SLK's pages through ``restrict`` (SLK reads
every statement), the published compilation through ``for_general_report`` (open
statements of open responses only). Each page reads a fixed number of queries however
many statements the round holds (pinned in tests/remiss/test_compilation_queries.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from programme import access
from programme.access import AnyUser
from programme.models import Body
from programme.queries.judgements import COMPANY_KINDS, BodyGroup
from programme.sorting import swedish_sort_key
from remiss.models import (
    CompilationPublication,
    Disposition,
    Referral,
    ReferralSection,
    Response,
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
    loaded = statements.select_related("response__body", "disposition")
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


def stance_counts(rows: list[StatementRow]) -> list[tuple[Stance, int]]:
    """How many of ``rows`` take each stance, every stance listed (no query)."""
    counted = Counter(row.statement.stance for row in rows)
    return [(stance, counted.get(stance.value, 0)) for stance in Stance]


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


@dataclass(frozen=True)
class SectionPage:
    """One section of the draft: its statements side by side, filtered, with their counts."""

    referral: Referral
    section: ReferralSection
    sections: list[ReferralSection]
    filters: CompilationFilters
    rows: list[StatementRow]
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
    every = _rows(statements, sections)
    groups = Counter(row.group for row in every)
    of_group = [row for row in every if not filters.group or row.group == filters.group]
    shown = [
        row for row in of_group if not filters.stance or row.statement.stance == filters.stance
    ]
    return SectionPage(
        referral=referral,
        section=section,
        sections=list(sections.values()),
        filters=filters,
        rows=shown,
        stances=stance_counts(of_group),
        total=len(every),
        group_counts=[(group, groups.get(group, 0)) for group in BodyGroup],
    )


def compilation_rows(user: AnyUser, referral: Referral) -> list[StatementRow]:
    """Every statement of the compilation the user may read, for SLK's Excel file (two queries)."""
    return _rows(access.restrict(compiled_statements(referral.pk), user), _sections(referral))


# --- The published compilation ------------------------------------------------------------


@dataclass(frozen=True)
class PublishedSection:
    """A section of the published compilation with its open statements."""

    section: ReferralSection
    rows: list[StatementRow]
    stances: list[tuple[Stance, int]]


@dataclass(frozen=True)
class PublishedCompilation:
    """The open parts of a round's compilation, as everyone with a role reads them."""

    referral: Referral
    publication: CompilationPublication | None
    sections: list[PublishedSection]
    rows: list[StatementRow]


def published_rows(referral: Referral) -> list[StatementRow]:
    """The compilation's open statements (their own level and their response's), two queries."""
    return _rows(access.for_general_report(compiled_statements(referral.pk)), _sections(referral))


def published_compilation(referral: Referral) -> PublishedCompilation:
    """The published compilation's open parts, per section (three queries)."""
    publication = current_publication(referral.pk)
    rows = published_rows(referral)
    by_section: dict[int, list[StatementRow]] = {}
    for row in rows:
        by_section.setdefault(row.section.pk, []).append(row)
    sections = [
        PublishedSection(
            section=section,
            rows=by_section.get(section.pk, []),
            stances=stance_counts(by_section.get(section.pk, [])),
        )
        for section in _sections(referral).values()
    ]
    return PublishedCompilation(
        referral=referral, publication=publication, sections=sections, rows=rows
    )


# --- A responding body's own dispositions ------------------------------------------------


@dataclass(frozen=True)
class ResponseDispositions:
    """What a response page shows of the compilation: its statements and how each was handled.

    ``published`` is False until SLK has published the compilation; ``rows`` is then empty.
    """

    published: bool
    rows: list[StatementRow]


def dispositions_for(response: Response, user: AnyUser) -> ResponseDispositions:
    """The dispositions of ``response``'s statements that ``user`` may read (two queries).

    Empty until SLK has published the round's compilation. Statements go through the
    access module, so a body's reader sees none of its confidential statements.
    """
    if current_publication(response.referral_id) is None:
        return ResponseDispositions(published=False, rows=[])
    statements = access.restrict(Statement.objects.filter(response=response), user).select_related(
        "section__focus_area", "response__body", "disposition"
    )
    rows = [
        StatementRow(
            statement=statement,
            section=statement.section,
            body=statement.response.body,
            group=group_of(statement.response.body),
            disposition=getattr(statement, "disposition", None),
        )
        for statement in statements.order_by("position")
    ]
    return ResponseDispositions(published=True, rows=rows)
