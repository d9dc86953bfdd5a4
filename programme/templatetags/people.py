"""The ``person`` filter: a user as pages name them, or "unknown" when there is none."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

register = template.Library()


@register.filter(name="person")
def person(user: User | None) -> str:
    """The user's full name, else the username; "unknown" for a user removed or never set."""
    if user is None:
        return _("unknown")
    return user.get_full_name() or user.get_username()
