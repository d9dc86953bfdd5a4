"""Tests of the reports app (reporting/): rendering, storage and downloads of the reports."""
