"""Access-matrix rows of the referral rounds pages.

Each row's address is of a round opened for a draft version that asks body A, made in
the test's own savepoint. SLK sees every round and alone changes them; body A's members
see the round and its draft, and only its administrators may decline; everyone else
gets 404 for the round (no compilation is published) and 403 for SLK's pages.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from programme.models import Programme, ProgrammeKind, ProgrammeStatus
from remiss.models import Invitation, Referral, Response
from tests.access.matrix_support import PDF_BYTES, SEES_A, Row, World, answers

DRAFT_SLUG = "matrisprogram-utkast"
SLK_ONLY = {"slk": 200}


def _storage() -> None:
    """Keep the drafts the rows make out of var/: in a folder of their own."""
    field = Referral._meta.get_field("draft_file")
    if not getattr(field, "_matrix_storage", False):
        field.storage = FileSystemStorage(location=tempfile.mkdtemp(prefix="matrix-drafts-"))
        field._matrix_storage = True  # type: ignore[attr-defined]


def draft_programme(world: World) -> Programme:
    """A draft version a round may be opened for."""
    programme, _created = Programme.objects.get_or_create(
        slug=DRAFT_SLUG,
        defaults={
            "name": "Matrisprogram (utkast)",
            "kind": ProgrammeKind.SAFETY,
            "first_year": world.year + 1,
            "status": ProgrammeStatus.DRAFT,
        },
    )
    return programme


def round_of(world: World) -> Referral:
    """An open round on the draft version asking body A, with its draft PDF."""
    _storage()
    referral = Referral.objects.filter(registration_number="KS 2099/1").first()
    if referral is not None:
        return referral
    referral = Referral(
        registration_number="KS 2099/1",
        title="Remiss av matrisprogrammet",
        programme=draft_programme(world),
        sender_name="Kommunstyrelsen",
        sent_on=datetime.date(world.year, 1, 10),
        deadline=datetime.date(world.year, 3, 1),
        draft_name="utkast.pdf",
        draft_size=len(PDF_BYTES),
    )
    referral.draft_file.save("draft", ContentFile(PDF_BYTES), save=False)
    referral.save()
    Invitation.objects.create(referral=referral, body=world.cast.body_a)
    Response.objects.create(referral=referral, body=world.cast.body_a)
    return referral


def round_url(name: str, **extra: Callable[[World], str]) -> Callable[[World], str]:
    """``remiss:<name>`` of the round, with ``extra`` kwargs taken from the world."""

    def build(world: World) -> str:
        kwargs = {"pk": round_of(world).pk} | {key: value(world) for key, value in extra.items()}
        return reverse(f"remiss:{name}", kwargs=kwargs)

    return build


def create_url(world: World) -> str:
    return f"{reverse('remiss:round-create')}?program={draft_programme(world).slug}"


def rows() -> list[Row]:
    """One row per URL pattern of the referral rounds pages."""
    return [
        Row(
            "remiss:round-list",
            "remiss:round-list",
            lambda w: reverse("remiss:round-list"),
            answers(200),
            answers(405),
        ),
        Row(
            "remiss:round-create",
            "remiss:round-create",
            create_url,
            answers(403, **SLK_ONLY),
            # An empty form is refused and shown again with its errors.
            answers(403, **SLK_ONLY),
        ),
        Row(
            "remiss:round-detail",
            "remiss:round-detail",
            round_url("round-detail"),
            answers(404, **SEES_A),
            answers(405),
        ),
        Row(
            "remiss:round-draft",
            "remiss:round-draft",
            round_url("round-draft"),
            answers(404, **SEES_A),
            answers(405),
        ),
        Row(
            "remiss:round-add-bodies",
            "remiss:round-add-bodies",
            round_url("round-add-bodies"),
            answers(403, **SLK_ONLY),
            answers(403, **SLK_ONLY),
        ),
        Row(
            "remiss:round-close",
            "remiss:round-close",
            round_url("round-close"),
            answers(403, **SLK_ONLY),
            answers(403, **SLK_ONLY),
        ),
        Row(
            "remiss:round-decline",
            "remiss:round-decline",
            round_url("round-decline", slug=lambda w: w.cast.body_a.slug),
            # SLK and body A's reader see the round but may not decline for body A.
            answers(404, admin_a=200, reader_a=403, slk=403),
            answers(404, admin_a=200, reader_a=403, slk=403),
        ),
        Row(
            "remiss:round-withdraw-decline",
            "remiss:round-withdraw-decline",
            round_url("round-withdraw-decline", slug=lambda w: w.cast.body_a.slug),
            # Only body A's administrators take back a decline; an empty POST is shown
            # again with what is missing.
            answers(404, admin_a=200, reader_a=403, slk=403),
            answers(404, admin_a=200, reader_a=403, slk=403),
        ),
    ]
