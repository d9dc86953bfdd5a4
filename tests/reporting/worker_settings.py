"""Settings of the workers that ``test_worker.py`` starts: development settings, and a hold.

A test kills a worker process while it renders. Rendering one report takes a few
seconds, too short to catch reliably, so a test asks for a hold: with
``REPORT_TEST_HOLD_DIR`` set, a worker's pool process checks for a file ``hold`` in that
folder each time WeasyPrint reports a page laid out. The first to find it renames it to
``held-<pid>`` (a rename is atomic, so exactly one rendering is held, and the test reads
the pid from the name) and waits there, mid-layout, until the test removes that file
(or for at most ``HOLD_SECONDS``) before rendering on. A rendering that finds no
``hold`` file runs at full speed.

Only these tests use this module; nothing in the product knows of the hold.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from celery.signals import worker_process_init

from config.settings import *  # noqa: F403

HOLD_SECONDS = 60.0

# The tasks a worker sends itself (the city-wide report's parts and joining) go to the
# test's own queue, which only its workers consume.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("REPORT_TEST_QUEUE", "celery")

_hold_dir = os.environ.get("REPORT_TEST_HOLD_DIR")


def _hold_here(folder: Path) -> None:
    """Wait here if a test asked for a hold and this rendering is the one to take it."""
    try:
        os.rename(folder / "hold", folder / f"held-{os.getpid()}")
    except FileNotFoundError:
        return
    deadline = time.monotonic() + HOLD_SECONDS
    # A test lets it go on early by removing the ``held-<pid>`` file.
    while time.monotonic() < deadline and (folder / f"held-{os.getpid()}").exists():
        time.sleep(0.05)


def _install_hold(**_: Any) -> None:
    """Wrap ``render_pdf`` in this pool process so that its page progress may hold."""
    from reporting import pdf

    folder = Path(str(_hold_dir))
    render = pdf.render_pdf

    def render_with_hold(html: Any, meta: Any, progress: Any = None) -> Any:
        def reported(step: str, page: int | None) -> None:
            if progress is not None:
                progress(step, page)
            if page is not None:
                _hold_here(folder)

        return render(html, meta, progress=reported)

    pdf.render_pdf = render_with_hold


if _hold_dir:
    # In each pool process once it has started, when Django's apps are ready.
    worker_process_init.connect(_install_hold, weak=False)
