"""What the duty pages read: a body's checklist, the city's overview, a record and its files."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404

from programme import access
from programme.access import AnyUser
from programme.models import (
    Body,
    DutyKind,
    DutyRecord,
    DutyStatus,
    EvidenceFile,
)
from programme.sorting import swedish_sort_key
from programme.uploads import EVIDENCE_KINDS
from programme.years import is_record_year


def duty_kind_or_404(value: str) -> DutyKind:
    """The duty a URL names, or 404 for a name the programme does not know."""
    if value not in DutyKind.values:
        raise Http404
    return DutyKind(value)


def check_body_year_or_404(body: Body, year: int) -> None:
    """Answer 404 for a year the body did not exist in, or outside the product's range."""
    if not is_record_year(year) or not body.existed_in(year):
        raise Http404


def _duty_order() -> Case:
    """The duties in the programme's order (the order of ``DutyKind``), in SQL."""
    return Case(
        *(When(duty=kind, then=Value(index)) for index, kind in enumerate(DutyKind.values)),
        output_field=IntegerField(),
    )


# Years of recorded duties on one page of a body's list (six duties a year at most).
YEARS_PER_PAGE = 10


@dataclass(frozen=True)
class DutyRecordsPage:
    """One page of a body's recorded duties: whole years, newest first."""

    records: list[DutyRecord]
    # The page of the years with records the user may see (its object_list: the years).
    years: Page[int]


def duty_records_of(user: AnyUser, body: Body, page: str | int | None = None) -> DutyRecordsPage:
    """The duty records of the body the user may see, ``YEARS_PER_PAGE`` years a page,
    newest year first (two queries: the years, then their records)."""
    visible: QuerySet[DutyRecord] = access.restrict(DutyRecord.objects.filter(body=body), user)
    years = list(visible.order_by("-year").values_list("year", flat=True).distinct())
    shown = Paginator(years, YEARS_PER_PAGE).get_page(page)
    records = list(
        visible.filter(year__in=list(shown.object_list)).order_by("-year", _duty_order())
    )
    return DutyRecordsPage(records=records, years=shown)


@dataclass(frozen=True)
class ChecklistRow:
    """One of the six duties in one year, with its record if the user may see one."""

    duty: DutyKind
    record: DutyRecord | None

    @property
    def is_met(self) -> bool:
        """Whether the record says the duty is met."""
        return self.record is not None and self.record.status == DutyStatus.MET


def checklist_for(user: AnyUser, body: Body, year: int) -> list[ChecklistRow]:
    """The six duties of the body in ``year``, each with the record the user may see.

    A confidential record that the user may not see (a reader of the body) is left out
    by ``access.restrict``, so its row shows exactly as a duty nobody has recorded: the
    page neither shows its content nor says that it exists. Saying "hidden" would tell
    the reader that something confidential is there, which is itself information. One
    query.
    """
    records = {
        record.duty: record
        for record in access.restrict(DutyRecord.objects.filter(body=body, year=year), user)
    }
    return [ChecklistRow(duty=kind, record=records.get(kind.value)) for kind in DutyKind]


@dataclass(frozen=True)
class OverviewRow:
    """One body's six duties in one year, for SLK's overview."""

    body: Body
    cells: list[ChecklistRow]

    @property
    def met_count(self) -> int:
        """How many of the six duties the body has met."""
        return sum(1 for cell in self.cells if cell.is_met)


def overview_for(user: AnyUser, year: int) -> list[OverviewRow]:
    """Every body that existed in ``year`` with its six duties (two queries).

    The records still go through ``access.restrict``: the page is SLK's, and SLK sees
    every record, but the one door decides that, not this function.
    """
    bodies = sorted(Body.objects.existing_in(year), key=lambda body: swedish_sort_key(body.name))
    records: dict[tuple[int, str], DutyRecord] = {
        (record.body_id, record.duty): record
        for record in access.restrict(DutyRecord.objects.filter(year=year), user)
    }
    return [
        OverviewRow(
            body=body,
            cells=[
                ChecklistRow(duty=kind, record=records.get((body.pk, kind.value)))
                for kind in DutyKind
            ],
        )
        for body in bodies
    ]


def duty_record_for_page(user: AnyUser, slug: str, year: int, duty: str) -> DutyRecord:
    """The record a URL names, with its body: 404 if there is none the user may see."""
    kind = duty_kind_or_404(duty)
    return access.get_for_user_or_404(
        user,
        DutyRecord.objects.select_related("body"),
        body__slug=slug,
        year=year,
        duty=kind.value,
    )


def evidence_files_of(record: DutyRecord) -> list[EvidenceFile]:
    """The record's evidence files with their uploaders, oldest first (one query).

    The record itself has passed ``programme.access``; its files share its body and
    confidentiality.
    """
    files = list(record.evidence_files.select_related("uploaded_by").order_by("uploaded_at", "pk"))
    for evidence in files:
        evidence.kind_label = EVIDENCE_KINDS.get(evidence.content_type, "").upper()  # type: ignore[attr-defined]
    return files


def evidence_for_download(user: AnyUser, pk: int) -> EvidenceFile:
    """The evidence file ``pk`` if the user may see its duty record, else 404."""
    return access.get_for_user_or_404(user, EvidenceFile.objects.all(), pk=pk)


def evidence_for_change(user: AnyUser, pk: int) -> EvidenceFile:
    """The evidence file ``pk`` with its record: 404 if not visible, 403 if not changeable."""
    return access.get_for_user_or_404(
        user,
        EvidenceFile.objects.select_related("duty_record__body"),
        access.Action.CHANGE,
        pk=pk,
    )
