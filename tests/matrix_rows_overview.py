"""Access-matrix rows of SLK's follow-up overview and the Excel exports."""

from __future__ import annotations

from tests.matrix_support import Row


def rows() -> list[Row]:
    """One row per URL pattern of this part of the site."""
    return []
