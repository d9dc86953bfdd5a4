"""SLK's maintenance of programme versions, their goal and focus areas, and the bodies.

Every change is one named function that runs in one transaction. Each checks the
model's own rules (``full_clean``) and the rules that span rows (no circle of versions
superseding each other, merges of bodies that exist on the merge date) before it writes,
and raises ``ValidationError`` keyed by the form field concerned, so bad input changes
nothing and the page can say what is wrong next to the field. The person who made the
change is kept in the record's history.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from programme.access import AnyUser
from programme.history import set_history_user, written_date
from programme.locking import (
    SeenVersion,
    lock_rows,
    lock_version,
    save_new_or_next_version,
    save_next_version,
)
from programme.models import Body, FocusArea, GoalArea, Programme
from programme.models.programmes import park_positions
from programme.services.plans import take_over_plans

# The fields of a programme version that SLK edits; "goal_areas" is edited beside them.
PROGRAMME_FIELDS = (
    "name",
    "slug",
    "subtitle",
    "kind",
    "first_year",
    "last_year",
    "registration_number",
    "adopted_on",
    "adopted_year",
    "adopted_by",
    "status",
    "supersedes",
    "summary",
)
FOCUS_AREA_FIELDS = ("number", "position", "title", "description", "goals", "working_methods")
BODY_FIELDS = ("kind", "name", "slug", "administration_name", "valid_from", "valid_to")
MERGED_BODY_FIELDS = ("kind", "name", "slug", "administration_name")


GOAL_AREA_NAME_LENGTH = GoalArea._meta.get_field("name").max_length or 200


def _apply(instance: models.Model, values: Mapping[str, Any], names: Iterable[str]) -> None:
    """Set the fields ``names`` of ``instance`` from ``values`` (missing ones untouched)."""
    for name in names:
        if name in values:
            setattr(instance, name, values[name])


def _full_clean(instance: models.Model, rename: Mapping[str, str] | None = None) -> None:
    """Run the model's own checks; name fields as the form does."""
    try:
        instance.full_clean()
    except ValidationError as error:
        raise _renamed(error, rename or {}) from error


def _renamed(error: ValidationError, rename: Mapping[str, str]) -> ValidationError:
    """The same errors with field names mapped through ``rename``."""
    if not hasattr(error, "error_dict"):
        return error
    renamed: dict[str, list[ValidationError]] = {}
    for field, errors in error.error_dict.items():
        renamed.setdefault(rename.get(field, field), []).extend(errors)
    return ValidationError(renamed)


def _refused_by_database(error: IntegrityError) -> ValidationError:
    """A change the database refused although the checks passed (two saves at once)."""
    return ValidationError(
        {
            NON_FIELD_ERRORS: _(
                "The change could not be saved because someone else changed the same data "
                "at the same time. Nothing was saved; check the form and save again."
            )
        }
    )


# --- Programme versions -------------------------------------------------------------------


def parse_goal_areas(text: str) -> list[str]:
    """The goal area names of a text with one name per line, blank lines left out."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _check_goal_area_names(names: Sequence[str]) -> None:
    """Refuse a name given twice or one that is too long."""
    seen: set[str] = set()
    for name in names:
        if len(name) > GOAL_AREA_NAME_LENGTH:
            raise ValidationError(
                {
                    "goal_areas": _("The goal area “%(name)s” is longer than %(limit)d characters.")
                    % {"name": name[:40] + "…", "limit": GOAL_AREA_NAME_LENGTH}
                }
            )
        if name.casefold() in seen:
            raise ValidationError(
                {"goal_areas": _("The goal area “%(name)s” is listed twice.") % {"name": name}}
            )
        seen.add(name.casefold())


def _check_lineage(programme: Programme) -> None:
    """Refuse a version that supersedes itself, a later version, or its own successor."""
    earlier = programme.supersedes
    if earlier is None:
        return
    if programme.pk is not None and earlier.pk == programme.pk:
        raise ValidationError({"supersedes": _("A version cannot supersede itself.")})
    if earlier.first_year > programme.first_year:
        raise ValidationError(
            {
                "supersedes": _(
                    "A version can only supersede a version that begins in the same year or "
                    "earlier; “%(name)s” begins in %(year)d."
                )
                % {"name": earlier.name, "year": earlier.first_year}
            }
        )
    if programme.pk is None:
        return
    # One query for the whole lineage: follow what each version supersedes.
    parents = dict(Programme.objects.values_list("pk", "supersedes_id"))
    current: int | None = earlier.pk
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current == programme.pk:
            raise ValidationError(
                {
                    "supersedes": _(
                        "“%(name)s” already comes after this version in the lineage, so this "
                        "version cannot supersede it."
                    )
                    % {"name": earlier.name}
                }
            )
        seen.add(current)
        current = parents.get(current)


def _save_goal_areas(programme: Programme, names: Sequence[str], by: AnyUser | None) -> None:
    """Bring the version's goal areas in line with ``names``, in that order.

    A name that is still there keeps its row, and so its focus areas. The remaining old
    rows are renamed to the remaining new names in order, so changing one line renames
    that goal area and keeps its links; old rows left over after that are removed.
    """
    existing = list(programme.goal_areas.order_by("position"))
    by_name = {area.name: area for area in existing}
    kept = {name: by_name[name] for name in names if name in by_name}
    spare = [area for area in existing if area.name not in kept]
    park_positions(GoalArea.objects.filter(programme=programme))
    new_names = [name for name in names if name not in kept]
    renamed = dict(zip(new_names, spare, strict=False))
    for removed in spare[len(new_names) :]:
        set_history_user(removed, by)
        removed.delete()
    # A new name never equals a stored one (those are kept), so renaming cannot collide.
    for position, name in enumerate(names, start=1):
        area = kept.get(name) or renamed.get(name) or GoalArea(programme=programme)
        area.name = name
        area.position = position
        set_history_user(area, by)
        _full_clean(area, {"name": "goal_areas", "position": "goal_areas"})
        area.save()


def _save_programme(
    by: AnyUser | None,
    programme: Programme,
    values: Mapping[str, Any],
    goal_areas: Sequence[str],
) -> Programme:
    """Check and save one programme version with its list of goal areas.

    The goal areas are saved only here, under the version's lock, and the version's own
    ``version`` rises with them (``GoalArea.version_kept_by``).
    """
    _apply(programme, values, PROGRAMME_FIELDS)
    _check_goal_area_names(goal_areas)
    _full_clean(programme)
    _check_lineage(programme)
    try:
        with transaction.atomic():
            save_new_or_next_version(programme, by)
            _save_goal_areas(programme, goal_areas, by)
    except IntegrityError as error:
        raise _refused_by_database(error) from error
    return programme


@transaction.atomic
def create_programme(
    by: AnyUser | None, values: Mapping[str, Any], goal_areas: Sequence[str]
) -> Programme:
    """Create a programme version with its goal areas."""
    return _save_programme(by, Programme(), values, goal_areas)


@transaction.atomic
def update_programme(
    by: AnyUser | None,
    programme: Programme,
    seen_version: SeenVersion,
    values: Mapping[str, Any],
    goal_areas: Sequence[str],
) -> Programme:
    """Change a programme version saved at ``seen_version`` and its list of goal areas."""
    current = lock_version(Programme.objects.all(), programme.pk, seen_version)
    return _save_programme(by, current, values, goal_areas)


# --- Focus areas --------------------------------------------------------------------------


def _check_focus_area(focus_area: FocusArea, goal_areas: Sequence[GoalArea]) -> None:
    """Refuse a number, position or title another focus area of the version has."""
    others = FocusArea.objects.filter(programme_id=focus_area.programme_id).exclude(
        pk=focus_area.pk
    )
    errors: dict[str, str] = {}
    if focus_area.number is not None and others.filter(number=focus_area.number).exists():
        errors["number"] = _("Another focus area of this version already has number %(n)d.") % {
            "n": focus_area.number
        }
    if others.filter(position=focus_area.position).exists():
        errors["position"] = _(
            "Another focus area of this version is already at position %(n)d."
        ) % {"n": focus_area.position}
    if others.filter(title=focus_area.title).exists():
        errors["title"] = _("Another focus area of this version already has this title.")
    if any(area.programme_id != focus_area.programme_id for area in goal_areas):
        errors["goal_areas"] = _("Choose only goal areas of this programme version.")
    if errors:
        raise ValidationError(errors)


def _next_position(programme: Programme) -> int:
    """The position after the version's last focus area."""
    last = FocusArea.objects.filter(programme=programme).aggregate(models.Max("position"))
    return int(last["position__max"] or 0) + 1


def _save_focus_area(
    by: AnyUser | None,
    focus_area: FocusArea,
    values: Mapping[str, Any],
    goal_areas: Sequence[GoalArea],
) -> FocusArea:
    """Check and save one focus area with its goal areas."""
    _apply(focus_area, values, FOCUS_AREA_FIELDS)
    if focus_area.position is None:
        focus_area.position = _next_position(focus_area.programme)
    # The clear messages about repeated numbers, positions and titles come first; the
    # model's own checks would report the same constraints in general terms.
    _check_focus_area(focus_area, goal_areas)
    _full_clean(focus_area)
    try:
        with transaction.atomic():
            save_new_or_next_version(focus_area, by)
            focus_area.goal_areas.set(goal_areas)
    except IntegrityError as error:
        raise _refused_by_database(error) from error
    return focus_area


@transaction.atomic
def create_focus_area(
    by: AnyUser | None,
    programme: Programme,
    values: Mapping[str, Any],
    goal_areas: Sequence[GoalArea],
) -> FocusArea:
    """Add a focus area to a programme version, linked to some of its goal areas."""
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    return _save_focus_area(by, FocusArea(programme=locked), values, list(goal_areas))


@transaction.atomic
def update_focus_area(
    by: AnyUser | None,
    focus_area: FocusArea,
    seen_version: SeenVersion,
    values: Mapping[str, Any],
    goal_areas: Sequence[GoalArea],
) -> FocusArea:
    """Change a focus area saved at ``seen_version`` and the goal areas it serves."""
    current = lock_version(
        FocusArea.objects.select_related("programme"), focus_area.pk, seen_version
    )
    return _save_focus_area(by, current, values, list(goal_areas))


# --- Bodies -------------------------------------------------------------------------------


def _check_predecessors(body: Body, predecessors: Sequence[Body]) -> None:
    """Refuse a body that precedes itself, directly or through its successors."""
    if body.pk is None:
        return
    if any(other.pk == body.pk for other in predecessors):
        raise ValidationError({"predecessors": _("A body cannot be its own predecessor.")})
    # One query for every link: walk from the body to everything that came after it.
    successors: dict[int, set[int]] = {}
    through = Body.predecessors.through
    for later, earlier in through._default_manager.values_list("from_body_id", "to_body_id"):
        successors.setdefault(earlier, set()).add(later)
    after: set[int] = set()
    waiting = [body.pk]
    while waiting:
        for later in successors.get(waiting.pop(), set()):
            if later not in after:
                after.add(later)
                waiting.append(later)
    looping = [other.name for other in predecessors if other.pk in after]
    if looping:
        raise ValidationError(
            {
                "predecessors": _(
                    "%(names)s came after this body, so it cannot be among its predecessors."
                )
                % {"names": ", ".join(looping)}
            }
        )


def _save_body(
    by: AnyUser | None, body: Body, values: Mapping[str, Any], predecessors: list[Body]
) -> Body:
    """Check and save one body with its predecessors."""
    _apply(body, values, BODY_FIELDS)
    _full_clean(body)
    _check_predecessors(body, predecessors)
    try:
        with transaction.atomic():
            save_new_or_next_version(body, by)
            if {other.pk for other in predecessors} != set(
                body.predecessors.values_list("pk", flat=True)
            ):
                body.predecessors.set(predecessors)
    except IntegrityError as error:
        raise _refused_by_database(error) from error
    return body


@transaction.atomic
def create_body(
    by: AnyUser | None, values: Mapping[str, Any], predecessors: Iterable[Body]
) -> Body:
    """Add a committee, company board or the executive board."""
    return _save_body(by, Body(), values, list(predecessors))


@transaction.atomic
def update_body(
    by: AnyUser | None,
    body: Body,
    seen_version: SeenVersion,
    values: Mapping[str, Any],
    predecessors: Iterable[Body],
) -> Body:
    """Change a body saved at ``seen_version``: name, kind, administration, dates, predecessors."""
    current = lock_version(Body.objects.all(), body.pk, seen_version)
    return _save_body(by, current, values, list(predecessors))


def _check_merge(bodies: Sequence[Body], day: datetime.date) -> None:
    """Refuse a merge of fewer than two bodies, or of a body that does not exist on ``day``."""
    if len({body.pk for body in bodies}) < 2:
        raise ValidationError({"bodies": _("Choose at least two bodies to merge.")})
    errors: list[str] = []
    for body in bodies:
        if body.has_ended_by(day):
            assert body.valid_to is not None
            errors.append(
                _(
                    "%(name)s had already ended on %(end)s, before the merge date; choose "
                    "bodies that exist on the merge date."
                )
                % {"name": body.name, "end": written_date(body.valid_to)}
            )
        elif body.valid_from is not None and body.valid_from >= day:
            errors.append(
                _(
                    "%(name)s began on %(start)s; the merge date must come after the day a "
                    "merged body began."
                )
                % {"name": body.name, "start": written_date(body.valid_from)}
            )
    if errors:
        raise ValidationError({"bodies": errors})


@transaction.atomic
def merge_bodies(
    by: AnyUser | None,
    bodies: Iterable[Body],
    day: datetime.date,
    values: Mapping[str, Any],
) -> Body:
    """Merge bodies into a new one that begins on ``day``; each ends the day before.

    Memberships and records stay with the bodies they belong to: the system
    administrator grants access to the new body. The new body's plan for the merge year
    takes over the merged bodies' plans of that year (``plans.take_over_plans``).
    """
    pks = sorted({body.pk for body in bodies})
    merged = lock_rows(Body.objects.filter(pk__in=pks))
    _check_merge(merged, day)
    successor = Body(valid_from=day)
    _apply(successor, values, MERGED_BODY_FIELDS)
    _full_clean(successor, {"valid_from": "date"})
    last_day = day - datetime.timedelta(days=1)
    set_history_user(successor, by)
    try:
        with transaction.atomic():
            successor.save()
            for body in merged:
                body.valid_to = last_day
                _full_clean(body, {"valid_to": "bodies", "valid_from": "bodies"})
                # A form opened on a merged body before is refused as stale.
                save_next_version(body, by, update_fields=["valid_to", "version"])
            successor.predecessors.set(merged)
            # Plans: the successor takes over its predecessors' plans of the merge year.
            take_over_plans(by, successor, day.year)
    except IntegrityError as error:
        raise _refused_by_database(error) from error
    return successor
