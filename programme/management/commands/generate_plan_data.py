"""``manage.py generate_plan_data``: a demo year of plans and follow-ups, or city scale."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from programme.demo.plans import DemoBodiesMissing, generate_city_scale, generate_demo_year
from programme.models import Plan


class Command(BaseCommand):
    """Make up plans, follow-ups and the year's settings, for the demo or for benchmarks."""

    help = (
        "Generate this year's follow-up deadlines, the council goal and plans of several "
        "bodies with follow-ups in every state (the demo year), or with --city-scale plans "
        "of every active body for several years, about 60 activities and 10 indicators "
        "each, for benchmarks. Safe to run again: plans that exist are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """The demo year by default; city scale with its size."""
        parser.add_argument(
            "--city-scale",
            action="store_true",
            help="Every active body, each of the last --years years (for benchmarks).",
        )
        parser.add_argument(
            "--years", type=int, default=5, help="City scale: how many years up to this one."
        )
        parser.add_argument(
            "--bodies",
            type=int,
            default=None,
            help="City scale: only the first so many bodies of each year (for quick runs).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Generate only into a database that holds no plan yet.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Generate, and print one line of counts and the time taken."""
        if options["if_empty"] and Plan.objects.exists():
            self.stdout.write("The database already holds plans; nothing generated.")
            return
        if options["years"] < 1 or (options["bodies"] is not None and options["bodies"] < 1):
            raise CommandError("--years and --bodies must be at least 1.")
        started = time.perf_counter()
        try:
            if options["city_scale"]:
                result = generate_city_scale(options["years"], options["bodies"])
            else:
                result = generate_demo_year()
        except DemoBodiesMissing as error:
            raise CommandError(str(error)) from error
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"{result.summary()} ({seconds:.1f} s)"))
