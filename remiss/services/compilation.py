"""SLK's compilation of a referral round: a disposition per statement, and its publication.

``record_disposition`` saves how SLK handled one statement, from the version SLK saw
(``programme.locking``); ``publish_compilation`` lets the responding bodies see the
dispositions of their statements and everyone with a role read the open parts. A
publication keeps every statement with its disposition as they stand when it is made
(``PublishedStatement``): readers see that, never SLK's later work, until SLK publishes
again. A later publication supersedes the earlier one, which is kept, as the city-wide
report's are.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programme import access
from programme.access import AnyUser
from programme.locking import (
    OVERWRITE,
    EditConflict,
    SeenVersion,
    changes_since,
    check_version,
    for_update,
    lock_rows,
    save_new_or_next_version,
)
from remiss.models import (
    CompilationPublication,
    Disposition,
    DispositionOutcome,
    PublishedStatement,
    Referral,
    ResponseState,
    Statement,
)
from remiss.models.compilation import OUTCOMES_NEEDING_REASON
from remiss.queries.compilation import compiled_statements


class PublishRefused(Exception):
    """The compilation cannot be published (its message says why, in the active language)."""


def _require_slk(user: AnyUser) -> None:
    if not access.is_slk_reviewer(user):
        raise PermissionDenied


def record_disposition(
    user: AnyUser,
    statement_id: int,
    seen_version: SeenVersion,
    outcome: str,
    reason: str,
) -> Disposition:
    """Record how SLK handled a statement; ``EditConflict`` if it changed since it was seen.

    Only SLK reviewers record dispositions, and only of statements in the compilation
    (those of submitted responses). The statement's row is locked first, so two first
    dispositions of one statement run one after the other and the second is refused.
    """
    _require_slk(user)
    reason = reason.strip()
    if outcome not in DispositionOutcome.values:
        raise ValidationError({"outcome": _("Choose how the statement was handled.")})
    if outcome in OUTCOMES_NEEDING_REASON and not reason:
        raise ValidationError(
            {"reason": _("Give a reason when a statement is partly accepted or not accepted.")}
        )
    with transaction.atomic():
        statement = (
            for_update(Statement.objects.select_related("response")).filter(pk=statement_id).first()
        )
        if statement is None:
            raise Http404
        if statement.response.state != ResponseState.SUBMITTED:
            raise ValidationError(
                _("Only statements of submitted responses are handled in the compilation.")
            )
        disposition = for_update(Disposition.objects.filter(statement=statement)).first()
        if disposition is None:
            if seen_version not in (0, OVERWRITE):
                # Seen once, since removed with its statement's history: nothing to compare.
                raise ValidationError(_("The disposition is gone. Open the page again."))
            disposition = Disposition(statement=statement)
        elif seen_version == 0:
            raise EditConflict(disposition, changes_since(disposition, 0))
        else:
            check_version(disposition, seen_version)
        disposition.outcome = outcome
        disposition.reason = reason
        disposition.full_clean(exclude=["statement"])
        save_new_or_next_version(disposition, user)
        return disposition


def publish_compilation(user: AnyUser, referral_id: int, note: str = "") -> CompilationPublication:
    """Publish a round's compilation: bodies see their dispositions, everyone the open parts.

    Refused while a statement of the compilation has no disposition, or while it holds
    none. The round's row is locked, so two reviewers publishing at once publish one
    after the other and the later supersedes the earlier, which is kept.
    """
    _require_slk(user)
    with transaction.atomic():
        referral = for_update(Referral.objects.filter(pk=referral_id)).first()
        if referral is None:
            raise Http404
        # Locked in id order, so SLK's dispositions of them wait until the copy is made.
        statements = lock_rows(
            compiled_statements(referral.pk).select_related("response", "disposition")
        )
        total = len(statements)
        if total == 0:
            raise PublishRefused(_("The compilation holds no statements yet."))
        missing = sum(1 for statement in statements if not _has_disposition(statement))
        if missing:
            raise PublishRefused(
                ngettext(
                    "%(count)s statement has no disposition yet.",
                    "%(count)s statements have no disposition yet.",
                    missing,
                )
                % {"count": missing}
            )
        earlier = (
            CompilationPublication.objects.select_for_update()
            .filter(referral=referral, superseded_at__isnull=True)
            .first()
        )
        now = timezone.now()
        if earlier is not None:
            earlier.superseded_at = now
            earlier.save(update_fields=["superseded_at"])
        publication = CompilationPublication.objects.create(
            referral=referral,
            published_by=cast(User, user),
            note=note.strip(),
            statements=total,
        )
        if earlier is not None:
            earlier.superseded_by = publication
            earlier.save(update_fields=["superseded_by"])
        _keep_as_published(publication, statements)
        return publication


def _has_disposition(statement: Statement) -> bool:
    try:
        return statement.disposition is not None
    except Disposition.DoesNotExist:
        return False


def _keep_as_published(publication: CompilationPublication, statements: list[Statement]) -> None:
    """Write every statement of the compilation, with its disposition, onto the publication.

    One query however many statements.
    """
    PublishedStatement.objects.bulk_create(
        (
            PublishedStatement(
                publication=publication,
                statement=statement,
                body_id=statement.response.body_id,
                section_id=statement.section_id,
                position=statement.position,
                stance=statement.stance,
                text=statement.text,
                statement_level=statement.confidentiality,
                response_level=statement.response.confidentiality,
                outcome=statement.disposition.outcome,
                reason=statement.disposition.reason,
            )
            for statement in statements
        ),
        batch_size=500,
    )
