"""Access-matrix rows of the referral compilation pages."""

from __future__ import annotations

from tests.access.matrix_support import Row


def rows() -> list[Row]:
    """One row per URL pattern of the referral compilation pages."""
    return []
