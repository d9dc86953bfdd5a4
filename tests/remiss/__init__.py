"""Tests of the referral rounds app (remiss/): its models, services, pages and tasks."""
