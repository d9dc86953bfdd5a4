"""Every model of the reporting app; this package only re-exports."""

from reporting.models.runs import ReportRequest, ReportRun, RunState

__all__ = ["ReportRequest", "ReportRun", "RunState"]
