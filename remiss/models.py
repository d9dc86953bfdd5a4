"""Referral rounds (remiss) on programme versions; the models arrive with the referral issue."""
