"""Loading the real programme versions and bodies from ``fixtures/`` into the database.

``load_programme_data`` reads the real programme versions and bodies from the TOML files
in ``fixtures/`` and brings the database in line with them. It first reads and checks
everything, then writes inside one transaction, so bad input changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError

from programme.models import (
    Body,
    FocusArea,
    FocusAreaSuccession,
    GoalArea,
    Programme,
)
from programme.models.programmes import park_positions
from programme.services.fixture_files import (
    BODIES_FILE,
    PROGRAMMES_FILE,
    BodySpec,
    FixtureError,
    ProgrammeSpec,
    read_bodies,
    read_programmes,
)

ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass(frozen=True)
class LoadResult:
    """What a load brought in line with the fixtures, counted."""

    programmes: int
    goal_areas: int
    focus_areas: int
    successions: int
    bodies: int
    removed: int

    def summary(self) -> str:
        """One line for the command's output."""
        return (
            f"Loaded {self.programmes} programme versions, {self.goal_areas} goal areas, "
            f"{self.focus_areas} focus areas, {self.successions} focus-area successions and "
            f"{self.bodies} bodies; removed {self.removed} rows the fixtures no longer list."
        )


def _save(
    model: type[ModelT],
    lookup: dict[str, Any],
    values: dict[str, Any],
    path: Path,
    entry: str,
) -> ModelT:
    """Update the row ``lookup`` finds, or create it, after the model's own checks."""
    instance = model._default_manager.filter(**lookup).first()
    changed = instance is None
    if instance is None:
        instance = model(**lookup)
    for name, value in values.items():
        changed = changed or getattr(instance, name) != value
        setattr(instance, name, value)
    try:
        instance.full_clean()
    except ValidationError as error:
        raise FixtureError(path, entry, " ".join(error.messages)) from error
    # An unchanged row is not saved, so a second load adds no entries to the history.
    if changed:
        instance.save()
    return instance


def _delete(queryset: models.QuerySet[Any], path: Path, entry: str) -> int:
    """Delete rows the fixture no longer lists, unless other records still need them."""
    try:
        deleted, _ = queryset.delete()
    except (ProtectedError, RestrictedError) as error:
        raise FixtureError(
            path, entry, f"cannot remove rows the fixture no longer lists: {error.args[0]}"
        ) from error
    return deleted


def _write_programme(
    path: Path, spec: ProgrammeSpec, supersedes: Programme | None
) -> tuple[Programme, dict[str, FocusArea], int]:
    """Bring one version, its goal areas and focus areas in line with the fixture."""
    programme = _save(
        Programme, {"slug": spec.slug}, {**spec.values, "supersedes": supersedes}, path, spec.entry
    )
    removed = _delete(
        GoalArea.objects.filter(programme=programme).exclude(name__in=spec.goal_areas),
        path,
        spec.entry,
    )
    park_positions(GoalArea.objects.filter(programme=programme))
    goal_areas: dict[str, GoalArea] = {}
    for position, (name, entry) in enumerate(
        zip(spec.goal_areas, spec.goal_area_entries, strict=True), start=1
    ):
        goal_areas[name] = _save(
            GoalArea, {"programme": programme, "name": name}, {"position": position}, path, entry
        )

    titles = [area.title for area in spec.focus_areas]
    removed += _delete(
        FocusArea.objects.filter(programme=programme).exclude(title__in=titles), path, spec.entry
    )
    park_positions(FocusArea.objects.filter(programme=programme), number=None)
    focus_areas: dict[str, FocusArea] = {}
    for position, area in enumerate(spec.focus_areas, start=1):
        focus_area = _save(
            FocusArea,
            {"programme": programme, "title": area.title},
            {
                "number": area.number,
                "position": position,
                "description": area.description,
                "goals": area.goals,
                "working_methods": area.working_methods,
            },
            path,
            area.entry,
        )
        focus_area.goal_areas.set([goal_areas[name] for name in area.goal_areas])
        focus_areas[area.title] = focus_area
    return programme, focus_areas, removed


def _write_successions(
    path: Path,
    spec: ProgrammeSpec,
    focus_areas: Mapping[tuple[str, str], FocusArea],
) -> int:
    """Bring the successions of one version's focus areas in line with the fixture."""
    removed = 0
    for area in spec.focus_areas:
        source = focus_areas[(spec.slug, area.title)]
        kept: list[int] = []
        for succession in area.successors:
            if succession.programme is not None and succession.title is not None:
                successor: FocusArea | None = focus_areas[(succession.programme, succession.title)]
                lookup: dict[str, Any] = {"source": source, "successor": successor}
                values: dict[str, Any] = {"note": succession.note}
            else:
                successor = None
                lookup = {"source": source, "successor": None, "note": succession.note}
                values = {}
            row = _save(FocusAreaSuccession, lookup, values, path, succession.entry)
            kept.append(row.pk)
        removed += _delete(
            FocusAreaSuccession.objects.filter(source=source).exclude(pk__in=kept),
            path,
            area.entry,
        )
    return removed


def _write_bodies(path: Path, specs: Iterable[BodySpec]) -> None:
    """Bring the bodies and their predecessors in line with the fixture."""
    bodies: dict[str, Body] = {}
    for spec in specs:
        bodies[spec.slug] = _save(Body, {"slug": spec.slug}, spec.values, path, spec.entry)
    for spec in specs:
        bodies[spec.slug].predecessors.set([bodies[slug] for slug in spec.predecessors])


def load_programme_data(fixtures_dir: Path | str) -> LoadResult:
    """Bring the programme versions and bodies in line with the fixture files; idempotent."""
    directory = Path(fixtures_dir)
    programmes_path = directory / PROGRAMMES_FILE
    bodies_path = directory / BODIES_FILE
    programme_specs = read_programmes(programmes_path)
    body_specs = read_bodies(bodies_path)

    removed = 0
    try:
        with transaction.atomic():
            programmes: dict[str, Programme] = {}
            focus_areas: dict[tuple[str, str], FocusArea] = {}
            for spec in programme_specs:
                supersedes = programmes[spec.supersedes] if spec.supersedes else None
                programme, areas, removed_areas = _write_programme(
                    programmes_path, spec, supersedes
                )
                programmes[spec.slug] = programme
                focus_areas.update({(spec.slug, title): area for title, area in areas.items()})
                removed += removed_areas
            for spec in programme_specs:
                removed += _write_successions(programmes_path, spec, focus_areas)
            _write_bodies(bodies_path, body_specs)
    except IntegrityError as error:
        # The model checks run before every save, so this is a last line of defence.
        raise FixtureError(directory, "", f"the database refused the data: {error}") from error

    return LoadResult(
        programmes=len(programme_specs),
        goal_areas=sum(len(spec.goal_areas) for spec in programme_specs),
        focus_areas=sum(len(spec.focus_areas) for spec in programme_specs),
        successions=sum(
            len(area.successors) for spec in programme_specs for area in spec.focus_areas
        ),
        bodies=len(body_specs),
        removed=removed,
    )
