"""What the plan and follow-up generators share: the order of a plan, bulk writing, a tally."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from simple_history.utils import bulk_create_with_history

from programme.demo.plan_content import (
    PlanSize,
)
from programme.models import (
    ActivityStatus,
    Body,
    FollowUpPeriod,
)

BATCH_SIZE = 2000


STATUSES = [str(status) for status in ActivityStatus]


PERIODS = (FollowUpPeriod.T1, FollowUpPeriod.T2, FollowUpPeriod.ANNUAL)


@dataclass
class Result:
    """What one run added, counted per kind of record."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, number: int) -> None:
        """Count ``number`` more records of ``name``."""
        self.counts[name] = self.counts.get(name, 0) + number

    def summary(self) -> str:
        """One line of counts, as the command prints it."""
        if not any(self.counts.values()):
            return "Nothing to add: every plan asked for exists already."
        return "Added " + ", ".join(f"{n} {name}" for name, n in self.counts.items() if n) + "."


def near(rng: random.Random, value: int) -> Decimal:
    """A made-up outcome within a fifth of ``value``, to two decimals."""
    return Decimal(str(round(value * rng.uniform(0.8, 1.2), 2))).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class PlanOrder:
    """One plan to make: a body, a year, its size and each period's follow-up state."""

    body: Body
    year: int
    size: PlanSize
    states: Sequence[str | None]


def bulk_save(model: type[models.Model], rows: list[Any], with_history: bool) -> list[Any]:
    """Insert ``rows`` in batches, with history rows where asked (the demo's pages show them)."""
    if not rows:
        return rows
    if with_history:
        created: list[Any] = bulk_create_with_history(rows, model, batch_size=BATCH_SIZE)
        return created
    return model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
