"""Referral rounds (remiss) on programme versions: rounds, sections, invitations, responses.

The models live in one module per subject; this package only re-exports them.
"""

from remiss.models.referrals import (
    Invitation,
    Referral,
    ReferralOrigin,
    ReferralSection,
    ReferralState,
)
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
    "Invitation",
    "Referral",
    "ReferralOrigin",
    "ReferralSection",
    "ReferralState",
    "Response",
    "ResponseState",
    "Signatory",
    "Stance",
    "Statement",
]
