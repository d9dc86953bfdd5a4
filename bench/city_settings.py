"""Settings of the workers ``bench/city_reports.py`` starts: the site's settings and two additions.

- Every task goes to the benchmark's own queue (``BENCH_CITY_QUEUE``), also those the
  workers send themselves (a city-wide run's parts and its joining, through
  ``.delay()``), so that only the benchmark's workers see them.
- With ``BENCH_CITY_MEMORY_DIR`` set, each pool process writes its peak resident memory
  (``VmHWM`` of ``/proc/self/status``) to ``<pid>.json`` in that folder when it exits
  (Celery's ``worker_process_shutdown``, sent in the pool process), so that the peak of
  a pool process replaced during the run (``CELERY_WORKER_MAX_MEMORY_PER_CHILD``) is
  known too. The benchmark also reads the live pool processes' ``VmHWM`` before it stops
  the workers.

Only the benchmark loads this module; nothing in the product knows of it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from celery.signals import worker_process_shutdown

from config.settings import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BENCH_CITY_QUEUE", "celery")

_memory_dir = os.environ.get("BENCH_CITY_MEMORY_DIR")


def memory_kib(pid: int | str = "self") -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` of a process, in KiB (empty when it is gone)."""
    found: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return found
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def _write_peak(**_: Any) -> None:
    """In a pool process that exits: its peak resident memory, to the benchmark's folder."""
    pid = os.getpid()
    record = {"pid": pid, "ppid": os.getppid(), **memory_kib()}
    Path(str(_memory_dir), f"{pid}.json").write_text(json.dumps(record))


if _memory_dir:
    worker_process_shutdown.connect(_write_peak, weak=False)
