"""App configuration for the programme."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    """Programme versions, goal and focus areas, bodies; later plans and follow-ups."""

    name = "programme"
    verbose_name = _("Programme")

    def ready(self) -> None:
        """Connect the signals that derive permissions from memberships and roles."""
        from programme import signals  # noqa: F401
