"""Queries of the referral pages, one module per subject."""
