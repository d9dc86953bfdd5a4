"""Referral rounds (remiss) on programme versions: rounds, sections, invitations, responses.

The models live in one module per subject; this package only re-exports them.
"""

from remiss.models.compilation import (
    CompilationPublication,
    Disposition,
    DispositionOutcome,
    PublishedStatement,
)
from remiss.models.imports import ImportKind, ImportState, ResponseImport
from remiss.models.referrals import (
    Invitation,
    Referral,
    ReferralOrigin,
    ReferralSection,
    ReferralState,
)
from remiss.models.reminders import ReferralReminderSent
from remiss.models.responses import (
    RESPONSE_SECTIONS,
    Response,
    ResponseState,
    Signatory,
    Stance,
    Statement,
)

__all__ = [
    "RESPONSE_SECTIONS",
    "CompilationPublication",
    "Disposition",
    "DispositionOutcome",
    "ImportKind",
    "ImportState",
    "Invitation",
    "PublishedStatement",
    "Referral",
    "ReferralOrigin",
    "ReferralReminderSent",
    "ReferralSection",
    "ReferralState",
    "Response",
    "ResponseImport",
    "ResponseState",
    "Signatory",
    "Stance",
    "Statement",
]
