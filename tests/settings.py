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

# On PostgreSQL the tests' own connections commit without waiting for the write-ahead log
# to reach the disk (3-7 ms a commit on the CI machine, 0.15 ms without): migrating each
# worker's database, building the shared world and every request of a live-server test
# commit. What a commit makes visible to other connections, and when, does not change;
# only a crash of the server could lose the last commits of a database thrown away anyway.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()
