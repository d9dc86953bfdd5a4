"""``manage.py load_referral_history``: load the historical referral rounds and responses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from programme.services.fixture_files import FixtureError
from remiss.models import Referral, ReferralOrigin
from remiss.services.referral_history import load_referral_history


class Command(BaseCommand):
    """Bring the historical rounds in line with fixtures/remiss/rounds.toml and responses.toml."""

    help = (
        "Load the referral rounds the seed responses answered, and those responses with their "
        "sections, signatories and statements, from fixtures/remiss/. Run load_programme_data "
        "first. Safe to run again: a second run changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Accept another fixtures directory."""
        parser.add_argument(
            "--fixtures",
            type=Path,
            default=Path(settings.BASE_DIR) / "fixtures",
            metavar="DIR",
            help="The directory holding remiss/rounds.toml and remiss/responses.toml "
            "(default: fixtures/).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=(
                "Load only into a database that holds no historical round yet, so that "
                "corrections made in the product are never overwritten by the files."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Load, and print one line of counts."""
        if options["if_empty"] and Referral.objects.filter(origin=ReferralOrigin.HISTORY).exists():
            self.stdout.write("The database already holds the referral history; nothing loaded.")
            return
        try:
            result = load_referral_history(options["fixtures"])
        except FixtureError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(result.summary()))
