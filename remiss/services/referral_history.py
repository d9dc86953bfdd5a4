"""Loading the historical referral rounds and their responses from fixtures/remiss/.

``load_referral_history`` brings the rounds the five seed responses answered, and those
responses, in line with the files: each round closed and marked as history, each
response submitted with its sections as written, its signatories and its statements.
It reads and checks everything first and writes inside one transaction, so bad input
changes nothing; an unchanged row is not saved, so loading twice changes nothing, not
even the history. The programme versions and bodies must be loaded first
(``load_programme_data``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from programme.models import Body, Confidentiality, FocusArea, Programme
from programme.models.programmes import park_positions
from programme.services.fixture_files import FixtureError
from remiss.models import (
    Invitation,
    Referral,
    ReferralOrigin,
    ReferralSection,
    ReferralState,
    Response,
    ResponseState,
    Signatory,
    Statement,
)
from remiss.services.referral_history_files import (
    REFERRALS_DIR,
    RESPONSES_FILE,
    ROUNDS_FILE,
    ResponseSpec,
    RoundSpec,
    read_responses,
    read_rounds,
)

ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass(frozen=True)
class HistoryResult:
    """What a load brought in line with the files, counted."""

    rounds: int
    sections: int
    responses: int
    statements: int
    removed: int

    def summary(self) -> str:
        """One line for the command's output."""
        return (
            f"Loaded {self.rounds} historical referral rounds with {self.sections} sections, "
            f"{self.responses} responses and {self.statements} statements; removed "
            f"{self.removed} rows the files no longer list."
        )


def _save(
    model: type[ModelT], lookup: dict[str, Any], values: dict[str, Any], path: Path, entry: str
) -> ModelT:
    """Update the row ``lookup`` finds, or create it, after the model's checks; unchanged, skip."""
    instance = model._default_manager.filter(**lookup).first()
    changed = instance is None
    if instance is None:
        instance = model(**lookup)
    for name, value in values.items():
        changed = changed or getattr(instance, name) != value
        setattr(instance, name, value)
    if changed:
        try:
            instance.full_clean()
        except ValidationError as error:
            raise FixtureError(path, entry, " ".join(error.messages)) from error
        instance.save()
    return instance


def _by_slug(model: type[ModelT], slugs: Iterable[str]) -> dict[str, ModelT]:
    """The rows of ``model`` with these slugs, by slug."""
    return {row.slug: row for row in model._default_manager.filter(slug__in=set(slugs))}  # type: ignore[attr-defined]


def _write_round(
    path: Path, spec: RoundSpec, programme: Programme, sender: Body | None
) -> Referral:
    """Bring one round and its sections in line with the file."""
    referral = _save(
        Referral,
        {"history_key": spec.key},
        {
            **spec.values,
            "programme": programme,
            "sender_body": sender,
            "origin": ReferralOrigin.HISTORY,
            "state": ReferralState.CLOSED,
        },
        path,
        spec.entry,
    )
    areas = {area.title: area for area in FocusArea.objects.filter(programme=programme)}
    lookups: list[dict[str, Any]] = []
    for section in spec.sections:
        if section.focus_area is None:
            lookups.append({"referral": referral, "focus_area": None, "title": section.title})
        elif section.focus_area in areas:
            lookups.append({"referral": referral, "focus_area": areas[section.focus_area]})
        else:
            raise FixtureError(
                path, section.entry, f'{programme.slug} has no focus area "{section.focus_area}"'
            )
    existing = ReferralSection.objects.filter(referral=referral)
    wanted = [(position, lookup) for position, lookup in enumerate(lookups, start=1)]
    if any(
        not existing.filter(position=position, **_unkeyed(lookup)).exists()
        for position, lookup in wanted
    ):
        # Renumbered: move the rows out of the way so no two share a position meanwhile.
        park_positions(existing)
    for (position, lookup), section in zip(wanted, spec.sections, strict=True):
        _save(ReferralSection, lookup, {"position": position}, path, section.entry)
    return referral


def _unkeyed(lookup: dict[str, Any]) -> dict[str, Any]:
    """A section's lookup without its round (the queryset already names it)."""
    return {name: value for name, value in lookup.items() if name != "referral"}


def _write_response(path: Path, spec: ResponseSpec, referral: Referral, body: Body) -> Response:
    """Bring one response, its invitation, signatories and statements in line with the file."""
    day = spec.values["document_date"] or referral.deadline or referral.sent_on
    if day is not None and not body.is_active_on(day):
        raise FixtureError(path, spec.entry, f"{body} did not exist on {day}")
    _save(
        Invitation,
        {"referral": referral, "body": body},
        {"declined": False, "decline_reason": ""},
        path,
        spec.entry,
    )
    response = _save(
        Response,
        {"referral": referral, "body": body},
        {
            **spec.values,
            "state": ResponseState.SUBMITTED,
            "reopen_reason": "",
            # The seeds are public records.
            "confidentiality": Confidentiality.OPEN,
        },
        path,
        spec.entry,
    )
    for position, (name, title) in enumerate(spec.signatories, start=1):
        _save(
            Signatory,
            {"response": response, "position": position},
            {"name": name, "title": title},
            path,
            f"{spec.entry}.signatories[{position}]",
        )
    sections = {
        section.heading: section for section in referral.sections.select_related("focus_area")
    }
    sections.update(
        {section.focus_area.title: section for section in sections.values() if section.focus_area}
    )
    for position, statement in enumerate(spec.statements, start=1):
        _save(
            Statement,
            {"response": response, "position": position},
            {
                "section": sections[statement.section],
                "stance": statement.stance,
                "text": statement.text,
                "confidentiality": Confidentiality.OPEN,
            },
            path,
            statement.entry,
        )
    return response


def _remove_unlisted(rounds: list[RoundSpec], responses: list[ResponseSpec]) -> int:
    """Delete history the files no longer list; rounds opened in the product are never touched."""
    history = Referral.objects.filter(origin=ReferralOrigin.HISTORY)
    gone = history.exclude(history_key__in=[spec.key for spec in rounds])
    removed = Response.objects.filter(referral__in=gone).delete()[0]
    removed += gone.delete()[0]
    for spec in rounds:
        kept_bodies = [response.body for response in responses if response.round == spec.key]
        in_round = {"referral__history_key": spec.key}
        removed += (
            Response.objects.filter(**in_round).exclude(body__slug__in=kept_bodies).delete()[0]
        )
        removed += (
            Invitation.objects.filter(**in_round).exclude(body__slug__in=kept_bodies).delete()[0]
        )
        sections = [section.name for section in spec.sections]
        removed += (
            ReferralSection.objects.filter(**in_round)
            .exclude(title__in=sections)
            .exclude(focus_area__title__in=sections)
            .delete()[0]
        )
    for response in responses:
        in_response = {
            "response__referral__history_key": response.round,
            "response__body__slug": response.body,
        }
        removed += Signatory.objects.filter(
            **in_response, position__gt=len(response.signatories)
        ).delete()[0]
        removed += Statement.objects.filter(
            **in_response, position__gt=len(response.statements)
        ).delete()[0]
    return removed


def load_referral_history(fixtures_dir: Path | str) -> HistoryResult:
    """Bring the historical rounds and responses in line with fixtures/remiss/; idempotent."""
    directory = Path(fixtures_dir) / REFERRALS_DIR
    rounds_path = directory / ROUNDS_FILE
    responses_path = directory / RESPONSES_FILE
    round_specs = read_rounds(rounds_path)
    response_specs = read_responses(responses_path, round_specs)

    programmes = _by_slug(Programme, [spec.programme for spec in round_specs])
    bodies = _by_slug(
        Body,
        [spec.body for spec in response_specs]
        + [spec.sender_body for spec in round_specs if spec.sender_body],
    )
    for round_spec in round_specs:
        if round_spec.programme not in programmes:
            raise FixtureError(
                rounds_path,
                round_spec.entry,
                f'no programme version "{round_spec.programme}": run load_programme_data first',
            )
        if round_spec.sender_body and round_spec.sender_body not in bodies:
            raise FixtureError(rounds_path, round_spec.entry, f'no body "{round_spec.sender_body}"')
    for response_spec in response_specs:
        if response_spec.body not in bodies:
            raise FixtureError(
                responses_path,
                response_spec.entry,
                f'no body "{response_spec.body}": run load_programme_data first',
            )

    try:
        with transaction.atomic():
            referrals: dict[str, Referral] = {}
            for round_spec in round_specs:
                sender = bodies[round_spec.sender_body] if round_spec.sender_body else None
                referrals[round_spec.key] = _write_round(
                    rounds_path, round_spec, programmes[round_spec.programme], sender
                )
            for response_spec in response_specs:
                _write_response(
                    responses_path,
                    response_spec,
                    referrals[response_spec.round],
                    bodies[response_spec.body],
                )
            removed = _remove_unlisted(round_specs, response_specs)
    except IntegrityError as error:
        # The model checks run before every save, so this is a last line of defence.
        raise FixtureError(directory, "", f"the database refused the data: {error}") from error

    return HistoryResult(
        rounds=len(round_specs),
        sections=sum(len(spec.sections) for spec in round_specs),
        responses=len(response_specs),
        statements=sum(len(spec.statements) for spec in response_specs),
        removed=removed,
    )
