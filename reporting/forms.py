"""Forms of the reporting app: SLK's yearly report date."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.forms import SeenVersionForm
from programme.forms.maintenance import DateInput
from reporting.models import ReportSchedule


class ReportScheduleForm(SeenVersionForm[ReportSchedule]):
    """The day the year's annual reports and the city-wide draft are made."""

    render_on = forms.DateField(
        label=_("Make the reports on"),
        help_text=_(
            "On this day the worker makes every body's annual report and the city-wide "
            "draft; SLK gets an e-mail when they are ready."
        ),
        widget=DateInput(),
    )

    class Meta:
        model = ReportSchedule
        fields = ["render_on"]
