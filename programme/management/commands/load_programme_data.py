"""``manage.py load_programme_data``: load the real programme versions and bodies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from programme.models import Body, Programme
from programme.services.fixture_files import FixtureError
from programme.services.fixtures import load_programme_data


class Command(BaseCommand):
    """Bring the database in line with fixtures/programmes.toml and fixtures/bodies.toml."""

    help = (
        "Load the programme versions, their goal and focus areas and the bodies from the "
        "TOML fixtures. Safe to run again: a second run changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Accept another fixtures directory."""
        parser.add_argument(
            "--fixtures",
            type=Path,
            default=Path(settings.BASE_DIR) / "fixtures",
            metavar="DIR",
            help="The directory holding programmes.toml and bodies.toml (default: fixtures/).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=(
                "Load only into a database that holds no programme version and no body yet, "
                "so that SLK's own changes are never overwritten by the fixtures."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Load, and print one line of counts."""
        if options["if_empty"] and (Programme.objects.exists() or Body.objects.exists()):
            self.stdout.write(
                "The database already holds programme data; nothing loaded (SLK maintains "
                "it in the product from here)."
            )
            return
        try:
            result = load_programme_data(options["fixtures"])
        except FixtureError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(result.summary()))
