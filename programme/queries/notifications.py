"""What the account page reads of a person's notification settings."""

from __future__ import annotations

from django.contrib.auth.models import User

from programme.models import NotificationSettings


def notification_settings_of(user: User) -> NotificationSettings:
    """The person's saved settings, or the defaults (every kind at once) as version 0.

    One query. Opening the page writes nothing: the defaults are not saved until the
    person saves the form.
    """
    saved = NotificationSettings.objects.filter(user=user).first()
    return saved if saved is not None else NotificationSettings(user=user, version=0)
