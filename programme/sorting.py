"""Sorting the way Swedish readers expect: å, ä and ö after z."""

from __future__ import annotations

# Swedish alphabetical order puts å, ä and ö after z, in that order, and files é and ü
# under e and y. Databases disagree (PostgreSQL with the C collation sorts ä before å),
# so names are ordered here rather than by the database.
_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "è": "e", "ü": "y"})


def swedish_sort_key(text: str) -> str:
    """A key that sorts names in Swedish alphabetical order."""
    return text.casefold().translate(_SWEDISH_ORDER)
