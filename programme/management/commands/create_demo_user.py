"""Create or reset the demo user, with a fresh password, and print how to sign in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

SITE_URL = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class DemoUser:
    """One demo account: its username and what it is for."""

    username: str
    description: str


# The access issue turns this into one account per role; each gets its own entry here.
DEMO_USERS: tuple[DemoUser, ...] = (DemoUser("demo", "Demo user"),)


def reset_demo_user(demo: DemoUser) -> str:
    """Create the demo user or reset it, and return its new password."""
    password = secrets.token_urlsafe(12)
    user_model = get_user_model()
    with transaction.atomic():
        user, _created = user_model.objects.get_or_create(username=demo.username)
        user.set_password(password)
        user.is_active = True
        user.save()
    return password


class Command(BaseCommand):
    """Create or reset the demo user and print its credentials."""

    help = "Create or reset the demo user with a freshly generated password and print it."

    def handle(self, *args: Any, **options: Any) -> None:
        """Reset every demo user and print the credentials with the site's address."""
        self.stdout.write(f"Sign in at {SITE_URL}")
        for demo in DEMO_USERS:
            password = reset_demo_user(demo)
            self.stdout.write(f"  {demo.description}")
            self.stdout.write(f"    username: {demo.username}")
            self.stdout.write(f"    password: {password}")
