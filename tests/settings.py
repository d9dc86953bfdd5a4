"""The settings the test suite and the type checker load: ``config.settings`` for development.

``config.settings`` refuses to start unless told where it runs (README, "Configuration").
The tests are development, so this module says so: ``DEBUG=1`` unless the shell set
``DEBUG`` itself. It is set in the environment, not only here, so that the processes the
tests start (``manage.py``, Celery workers) are told the same. pytest-django still runs
each test with debug off, as Django's own test runner does.

pyproject.toml names this module for pytest (``DJANGO_SETTINGS_MODULE``) and for
django-stubs, so that a plain ``.venv/bin/pytest`` or ``.venv/bin/mypy .`` needs no
exported variable. Nothing else may use it.
"""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: F403
