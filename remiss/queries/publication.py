"""What readers of a published compilation see: the statements and dispositions it keeps.

A publication keeps every statement of the compilation with SLK's disposition as they
stood when it was made (``PublishedStatement``); readers see that, never SLK's later
work, until SLK publishes again. Every read goes through the access module: the
published compilation (open statements only) through ``for_general_report``, a
responding body's own dispositions through ``restrict``. Before a publication SLK may
preview what would be published, read from the statements themselves.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import QuerySet

from programme import access
from programme.access import AnyUser
from programme.models import Body
from programme.queries.judgements import BodyGroup
from programme.sorting import swedish_sort_key
from remiss.models import (
    CompilationPublication,
    Disposition,
    PublishedStatement,
    Referral,
    ReferralSection,
    Response,
    Stance,
    Statement,
)
from remiss.queries.compilation import compiled_statements, current_publication, group_of


@dataclass(frozen=True)
class PublishedRow:
    """A statement as a reader of the compilation sees it, with how it was handled.

    ``statement`` and ``disposition`` are the publication's kept row (both at once), or,
    in SLK's preview before any publication, the statement and its disposition now.
    """

    statement: PublishedStatement | Statement
    section: ReferralSection
    body: Body
    group: BodyGroup
    disposition: PublishedStatement | Disposition | None


def _sections(referral_id: int) -> dict[int, ReferralSection]:
    return {
        section.pk: section
        for section in ReferralSection.objects.filter(referral_id=referral_id)
        .select_related("focus_area")
        .order_by("position")
    }


def _sorted(rows: list[PublishedRow]) -> list[PublishedRow]:
    rows.sort(
        key=lambda row: (
            row.section.position,
            swedish_sort_key(row.body.name),
            row.statement.position,
        )
    )
    return rows


def _kept_rows(
    kept: QuerySet[PublishedStatement], sections: dict[int, ReferralSection]
) -> list[PublishedRow]:
    return _sorted(
        [
            PublishedRow(
                statement=row,
                section=sections[row.section_id],
                body=row.body,
                group=group_of(row.body),
                disposition=row,
            )
            for row in kept.select_related("body")
        ]
    )


def _live_rows(
    statements: QuerySet[Statement], sections: dict[int, ReferralSection]
) -> list[PublishedRow]:
    rows = []
    for statement in statements.select_related("response__body", "disposition"):
        body = statement.response.body
        rows.append(
            PublishedRow(
                statement=statement,
                section=sections[statement.section_id],
                body=body,
                group=group_of(body),
                disposition=getattr(statement, "disposition", None),
            )
        )
    return _sorted(rows)


def _stance_counts(rows: list[PublishedRow]) -> list[tuple[Stance, int]]:
    counted = Counter(row.statement.stance for row in rows)
    return [(stance, counted.get(stance.value, 0)) for stance in Stance]


def kept_statements(publication: CompilationPublication) -> QuerySet[PublishedStatement]:
    """Every statement a publication keeps, whoever may read which (not yet restricted)."""
    return PublishedStatement.objects.filter(publication=publication)


def published_rows(referral: Referral) -> list[PublishedRow]:
    """The published compilation's open statements (three queries).

    Before any publication, SLK's preview: the open statements of the compilation now.
    """
    sections = _sections(referral.pk)
    publication = current_publication(referral.pk)
    if publication is None:
        return _live_rows(access.for_general_report(compiled_statements(referral.pk)), sections)
    return _kept_rows(access.for_general_report(kept_statements(publication)), sections)


@dataclass(frozen=True)
class PublishedSection:
    """A section of the published compilation with its open statements."""

    section: ReferralSection
    rows: list[PublishedRow]
    stances: list[tuple[Stance, int]]


@dataclass(frozen=True)
class PublishedCompilation:
    """The open parts of a round's compilation, as everyone with a role reads them."""

    referral: Referral
    publication: CompilationPublication | None
    sections: list[PublishedSection]
    rows: list[PublishedRow]


def published_compilation(referral: Referral) -> PublishedCompilation:
    """The published compilation's open parts, per section (four queries)."""
    publication = current_publication(referral.pk)
    sections = _sections(referral.pk)
    if publication is None:
        rows = _live_rows(access.for_general_report(compiled_statements(referral.pk)), sections)
    else:
        rows = _kept_rows(access.for_general_report(kept_statements(publication)), sections)
    by_section: dict[int, list[PublishedRow]] = {}
    for row in rows:
        by_section.setdefault(row.section.pk, []).append(row)
    return PublishedCompilation(
        referral=referral,
        publication=publication,
        sections=[
            PublishedSection(
                section=section,
                rows=by_section.get(section.pk, []),
                stances=_stance_counts(by_section.get(section.pk, [])),
            )
            for section in sections.values()
        ],
        rows=rows,
    )


@dataclass(frozen=True)
class ResponseDispositions:
    """What a response page shows of the compilation: its statements and how each was handled.

    ``published`` is False until SLK has published the compilation; ``rows`` is then empty.
    """

    published: bool
    rows: list[PublishedRow]


def dispositions_for(response: Response, user: AnyUser) -> ResponseDispositions:
    """How the published compilation handled ``response``'s statements, as ``user`` may read.

    Empty until SLK has published the round's compilation; then the statements as the
    publication keeps them (a later change reaches the body when SLK publishes again).
    The rows go through the access module, so a body's reader sees none of its
    confidential statements. Three queries.
    """
    publication = current_publication(response.referral_id)
    if publication is None:
        return ResponseDispositions(published=False, rows=[])
    kept = access.restrict(kept_statements(publication).filter(body_id=response.body_id), user)
    rows = _kept_rows(kept, _sections(response.referral_id))
    return ResponseDispositions(published=True, rows=rows)
