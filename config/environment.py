"""How the settings read environment variables: yes/no values and comma-separated lists.

Apart from the settings so that ``config.production`` can check its environment before
``config.settings`` is read.
"""

from __future__ import annotations

import os


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable; anything but a clear yes is no."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
