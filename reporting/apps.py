"""App configuration for reports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Report definitions, PDF rendering tasks and stored report files."""

    name = "reporting"
    verbose_name = _("Reports")
