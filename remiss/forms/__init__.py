"""Forms of the referral pages, one module per subject."""
