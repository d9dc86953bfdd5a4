"""Every model of the reporting app; this package only re-exports."""

from reporting.models.city import PartKind, Publication, ReportPart, ReportSchedule, RunPart
from reporting.models.runs import ReportRequest, ReportRun, ReportScope, RunState

__all__ = [
    "PartKind",
    "Publication",
    "ReportPart",
    "ReportRequest",
    "ReportRun",
    "ReportSchedule",
    "ReportScope",
    "RunPart",
    "RunState",
]
