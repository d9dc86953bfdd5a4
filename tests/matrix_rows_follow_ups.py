"""Access-matrix rows of the follow-up pages and the review workflow."""

from __future__ import annotations

from tests.matrix_support import Row


def rows() -> list[Row]:
    """One row per URL pattern of this part of the site."""
    return []
