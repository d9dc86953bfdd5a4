"""What a referral round's outputs print, and who may have which variant.

The compilation (every statement of the round's submitted responses side by side per
section of the draft, with SLK's disposition) comes in two variants: full, SLK's only,
and general, the open parts only (read through ``access.for_general_report``), for
everyone with a role once SLK has published the compilation. A reply tells one
responding body how each of its statements was handled: full for SLK and the body's
administrators, without its confidential statements for the body's readers, and for
the body's members only once the compilation is published.

Once SLK has published the compilation, the general variant and every reply print the
statements and dispositions as the publication keeps them (``PublishedStatement``), so
what SLK changes afterwards reaches no reader until SLK publishes again; before that,
SLK's previews and the full compilation print the statements as they stand.

The inputs are collected once, as JSON, in a fixed number of queries; the renderer
reads nothing else (as ``reporting.queries.report_inputs``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext

from programme import access, report_access
from programme.access import Audience
from programme.models import Confidentiality, stricter
from programme.queries.judgements import COMPANY_KINDS, BodyGroup
from programme.rich_text import render_rich_text
from programme.sorting import swedish_sort_key
from remiss.models import (
    CompilationPublication,
    DispositionOutcome,
    PublishedStatement,
    Referral,
    Response,
    ResponseState,
    Stance,
    Statement,
)

Inputs = dict[str, Any]


# --- Who gets which variant ----------------------------------------------------------------


def is_published(referral_id: int) -> bool:
    """Whether SLK has published the round's compilation (and not withdrawn it)."""
    return CompilationPublication.objects.filter(
        referral_id=referral_id, superseded_at__isnull=True
    ).exists()


def compilation_audiences(user: access.AnyUser, referral: Referral) -> list[Audience]:
    """The compilation's variants the user may have: SLK both, anyone with a role the
    general one once it is published, everyone else none."""
    if access.is_slk_reviewer(user):
        return [Audience.FULL, Audience.GENERAL]
    if report_access.has_any_role(user) and is_published(referral.pk):
        return [Audience.GENERAL]
    return []


def reply_audience(user: access.AnyUser, response: Response) -> Audience | None:
    """The variant of the reply to ``response`` the user may have, or None.

    SLK at any time; the body's members once the compilation is published (its
    administrators in full, its readers without confidential statements); nobody else,
    another body's members and officials included. A response that is not submitted has
    no reply.
    """
    if response.state != ResponseState.SUBMITTED:
        return None
    if access.is_slk_reviewer(user):
        return Audience.FULL
    if not is_published(response.referral_id):
        return None
    if not access.bodies_for(user, access.Action.VIEW).filter(pk=response.body_id).exists():
        return None
    if access.may_see_confidential(user, response.body):
        return Audience.FULL
    return Audience.MEMBERS


# --- What each prints ------------------------------------------------------------------------


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _referral(referral: Referral) -> Inputs:
    return {
        "key": referral.pk,
        "title": referral.title,
        "registration_number": referral.registration_number,
        "programme": str(referral.programme),
        "sender": referral.sender_name,
        "sent_on": _date(referral.sent_on),
        "deadline": _date(referral.deadline),
    }


def _publication(referral_id: int) -> str | None:
    publication = (
        CompilationPublication.objects.filter(referral_id=referral_id, superseded_at__isnull=True)
        .only("published_at")
        .first()
    )
    return publication.published_at.date().isoformat() if publication else None


def _statement(statement: Statement) -> Inputs:
    """A statement with its section, stance, level and SLK's disposition, if any."""
    disposition = getattr(statement, "disposition", None)
    body = statement.response.body
    level = stricter(statement.confidentiality, statement.response.confidentiality)
    return {
        "key": statement.pk,
        "section": statement.section_id,
        "section_heading": statement.section.heading,
        "position": statement.position,
        "body": body.name,
        "body_slug": body.slug,
        "group": str(
            (BodyGroup.COMPANIES if body.kind in COMPANY_KINDS else BodyGroup.COMMITTEES).label
        ),
        "stance": statement.stance,
        "stance_label": str(Stance(statement.stance).label),
        "text": str(render_rich_text(statement.text)),
        "level": level,
        "level_label": str(Confidentiality(level).label),
        "outcome": disposition.outcome if disposition else "",
        "outcome_label": (
            str(DispositionOutcome(disposition.outcome).label) if disposition else ""
        ),
        "reason": disposition.reason if disposition else "",
    }


def _kept(row: PublishedStatement) -> Inputs:
    """A statement as the publication keeps it, under the strictest of its levels then and now."""
    body = row.body
    levels = [row.statement_level, row.response_level]
    if row.statement is not None:
        levels += [row.statement.confidentiality, row.statement.response.confidentiality]
    level = stricter(*levels)
    return {
        "key": row.statement_id or f"p{row.pk}",
        "section": row.section_id,
        "section_heading": row.section.heading,
        "position": row.position,
        "body": body.name,
        "body_slug": body.slug,
        "group": str(
            (BodyGroup.COMPANIES if body.kind in COMPANY_KINDS else BodyGroup.COMMITTEES).label
        ),
        "stance": row.stance,
        "stance_label": str(Stance(row.stance).label),
        "text": str(render_rich_text(row.text)),
        "level": level,
        "level_label": str(Confidentiality(level).label),
        "outcome": row.outcome,
        "outcome_label": str(DispositionOutcome(row.outcome).label),
        "reason": row.reason,
    }


def _kept_rows(
    referral_id: int, audience: Audience, body_id: int | None = None
) -> list[Inputs] | None:
    """The current publication's statements ``audience`` may print, or None if unpublished.

    Two queries.
    """
    publication = (
        CompilationPublication.objects.filter(referral_id=referral_id, superseded_at__isnull=True)
        .only("pk")
        .first()
    )
    if publication is None:
        return None
    kept = PublishedStatement.objects.filter(publication=publication)
    if body_id is not None:
        kept = kept.filter(body_id=body_id)
    return [
        _kept(row)
        for row in access.for_audience(kept, audience)
        .select_related("body", "section", "statement__response")
        .order_by("position")
    ]


def _stance_counts(rows: Iterable[Inputs]) -> list[Inputs]:
    counted = Counter(row["stance"] for row in rows)
    return [
        {"key": stance.value, "label": str(stance.label), "count": counted.get(stance.value, 0)}
        for stance in Stance
    ]


def _outcome_counts(rows: Iterable[Inputs]) -> list[Inputs]:
    counted = Counter(row["outcome"] for row in rows)
    counts = [
        {"key": outcome.value, "label": str(outcome.label), "count": counted.get(outcome.value, 0)}
        for outcome in DispositionOutcome
    ]
    counts.append({"key": "", "label": gettext("Not handled yet."), "count": counted.get("", 0)})
    return counts


def _statements(queryset: Any) -> Any:
    return queryset.select_related("response__body", "section__focus_area", "disposition")


def compilation_inputs(referral: Referral, audience: Audience) -> Inputs:
    """What the compilation for ``audience`` prints (at most five queries).

    Full: every statement of the submitted responses as they stand, SLK's working copy;
    general: the open ones only, as the current publication keeps them (before any
    publication, SLK's preview of them as they stand).
    """
    if audience not in (Audience.FULL, Audience.GENERAL):
        raise ValueError(f"the compilation has no {audience} variant")
    sections = list(referral.sections.select_related("focus_area").order_by("position"))
    kept = _kept_rows(referral.pk, audience) if audience == Audience.GENERAL else None
    if kept is not None:
        rows = kept
    else:
        compiled = Statement.objects.filter(
            response__referral=referral, response__state=ResponseState.SUBMITTED
        )
        rows = [
            _statement(statement)
            for statement in _statements(access.for_audience(compiled, audience))
        ]
    rows.sort(key=lambda row: (swedish_sort_key(row["body"]), row["position"]))
    by_section: dict[int, list[Inputs]] = {}
    for row in rows:
        by_section.setdefault(row["section"], []).append(row)
    return {
        "kind": "compilation",
        "audience": audience.value,
        "audience_label": str(audience.label),
        "referral": _referral(referral),
        "published_on": _publication(referral.pk),
        "total": len(rows),
        "body_count": len({row["body_slug"] for row in rows}),
        "stances": _stance_counts(rows),
        "outcomes": _outcome_counts(rows),
        "sections": [
            {
                "key": section.pk,
                "number": number,
                "heading": section.heading,
                "statements": by_section.get(section.pk, []),
                "stances": _stance_counts(by_section.get(section.pk, [])),
            }
            for number, section in enumerate(sections, start=1)
        ],
    }


def reply_inputs(response: Response, audience: Audience) -> Inputs:
    """What the reply to ``response`` for ``audience`` prints (at most four queries).

    Full: every statement of the response; members: none that its level or the
    response's makes confidential, without a trace. Once the compilation is published,
    the statements and dispositions as the publication keeps them; before, SLK's preview
    of them as they stand.
    """
    if audience not in (Audience.FULL, Audience.MEMBERS):
        raise ValueError(f"the reply has no {audience} variant")
    kept = _kept_rows(response.referral_id, audience, body_id=response.body_id)
    if kept is not None:
        rows = kept
    else:
        statements = access.for_audience(Statement.objects.filter(response=response), audience)
        rows = [_statement(statement) for statement in _statements(statements).order_by("position")]
    body = response.body
    return {
        "kind": "reply",
        "audience": audience.value,
        "audience_label": str(audience.label),
        "referral": _referral(response.referral),
        "published_on": _publication(response.referral_id),
        "body": {"name": body.name, "slug": body.slug},
        "response": {
            "registration_number": response.registration_number,
            "document_date": _date(response.document_date),
            "meeting_date": _date(response.meeting_date),
            "minutes_paragraph": response.minutes_paragraph,
        },
        "statements": rows,
        "outcomes": _outcome_counts(rows),
    }


def compilation_title(inputs: Inputs) -> str:
    """The compilation's title, in the active language."""
    return gettext("Referral compilation: %(title)s") % {"title": inputs["referral"]["title"]}


def reply_title(inputs: Inputs) -> str:
    """The reply's title, in the active language ("Så har era synpunkter hanterats")."""
    return gettext("How your statements were handled")


def confidential_bodies(inputs: Inputs) -> list[str]:
    """The slugs of the bodies a referral output prints a confidential statement of.

    Downloading such a file is written to the access log once per body.
    """
    rows = inputs.get("statements") or [
        row for section in inputs.get("sections", []) for row in section["statements"]
    ]
    return sorted(
        {row["body_slug"] for row in rows if row["level"] == Confidentiality.CONFIDENTIAL}
    )
