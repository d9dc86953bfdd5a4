"""Create or reset one demo user per role, with fresh passwords, and print how to sign in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from programme.demo.users import DemoDataMissing, set_up_demo


class Command(BaseCommand):
    """Create or reset the demo users and their demo records, and print the credentials."""

    help = (
        "Create or reset one demo user per role (administrators and readers of Järva and "
        "Skärholmen, an SLK reviewer, an official, a system administrator and a user with "
        "no role) with freshly generated passwords, add demo duty records, and print the "
        "credentials."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        """Reset every demo user and print the credentials with the site's address."""
        try:
            credentials = set_up_demo()
        except DemoDataMissing as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Sign in at {settings.SITE_URL}/")
        for entry in credentials:
            self.stdout.write(f"  {entry.demo.description}")
            self.stdout.write(f"    username: {entry.demo.username}")
            self.stdout.write(f"    password: {entry.password}")
