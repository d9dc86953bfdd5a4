"""App configuration for referral rounds."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemissConfig(AppConfig):
    """Referral rounds on programme versions, responses and their compilation."""

    name = "remiss"
    verbose_name = _("Referrals")
