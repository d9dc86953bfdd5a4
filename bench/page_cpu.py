"""Pages read in process through Django's test client, with the code of one checkout.

    python bench/page_cpu.py PAGES.json --requests 20 --edits 5   (cwd: the checkout)

``bench/pages.py`` runs this as a child process whose working folder and ``PYTHONPATH``
are the checkout measured, so that the project imported is that checkout's, against the
bench database its environment names. ``PAGES.json`` holds the pages of
``bench/page_setup.py``. For each page, signed in as its persona, it reads the page three
times untimed, once counting queries, then ``--requests`` times warm, then ``--edits``
times the first request after an edit: the page's record saved with the ORM as its next
version (``version + 1`` and ``save()``, as ``programme.locking.save_next_version`` does,
signals and history included) and then read once.

For each request it measures:

- CPU of this process (``time.process_time``): Python, the driver's side of the SQL
  included, PostgreSQL's own work excluded;
- wall time (``time.perf_counter``);
- CPU of the PostgreSQL backend serving this process's connection (user + system time of
  ``/proc/<backend pid>/stat``; the benchmark runs PostgreSQL on this machine). The
  kernel counts it in ticks of 10 ms, so it is given as the mean over the requests (total
  ticks / requests), not as a median.

It prints one JSON object: per page key, the figures or the status it answered.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def _backend_ticks() -> tuple[int, int] | None:
    """The PostgreSQL backend's pid and its CPU ticks so far (None when not readable)."""
    from django.db import connection

    connection.ensure_connection()
    raw = getattr(connection.connection, "info", None)
    pid = getattr(raw, "backend_pid", None)
    if pid is None:
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    # utime and stime: fields 14 and 15 of proc(5), the 12th and 13th after the name.
    return pid, int(fields[11]) + int(fields[12])


class Timed:
    """CPU, wall and PostgreSQL CPU of a run of requests."""

    def __init__(self) -> None:
        self.cpu: list[float] = []
        self.wall: list[float] = []
        self.pg_ticks = 0
        self.pg_counted = 0

    def read(self, client: Any, url: str) -> int:
        """One request, timed; its status."""
        before = _backend_ticks()
        started_cpu, started = time.process_time(), time.perf_counter()
        answer = client.get(url)
        self.cpu.append((time.process_time() - started_cpu) * 1000)
        self.wall.append((time.perf_counter() - started) * 1000)
        after = _backend_ticks()
        if before is not None and after is not None and before[0] == after[0]:
            self.pg_ticks += after[1] - before[1]
            self.pg_counted += 1
        return int(answer.status_code)

    def figures(self) -> dict[str, float | None]:
        """Medians of CPU and wall ms; mean PostgreSQL CPU ms."""
        pg = self.pg_ticks * TICK_MS / self.pg_counted if self.pg_counted else None
        return {
            "cpu_ms": statistics.median(self.cpu),
            "wall_ms": statistics.median(self.wall),
            "pg_ms": pg,
        }


def _edit(model_label: str, pk: int) -> None:
    """Save the record as its next version (what every service's save does to it)."""
    from django.apps import apps
    from django.db import transaction

    model = apps.get_model(model_label)
    with transaction.atomic():
        record = model.objects.select_for_update().get(pk=pk)
        record.version += 1
        record.save()


def measure(page: dict[str, Any], client: Any, requests: int, edits: int) -> dict[str, Any]:
    """One page's figures, or the status it answered instead of 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = page["url"]
    for _ in range(3):
        answer = client.get(url)
        if answer.status_code != 200:
            return {"status": answer.status_code}
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    # Counted now: the next request empties the log the capture reads from.
    queries = len(captured)
    warm = Timed()
    for _ in range(requests):
        warm.read(client, url)
    edited = Timed()
    for _ in range(edits):
        _edit(page["edit_model"], page["edit_pk"])
        status = edited.read(client, url)
        if status != 200:
            return {"status": status}
    return {
        "status": 200,
        "queries": queries,
        "warm": warm.figures(),
        "after_edit": edited.figures() if edits else None,
    }


def main() -> None:
    """Measure every page of the file named and print the figures as JSON."""
    import argparse

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("pages", help="the JSON file of bench/page_setup.py's pages")
    parser.add_argument("--requests", type=int, default=20, help="warm requests a page")
    parser.add_argument("--edits", type=int, default=5, help="first-after-edit requests")
    args = parser.parse_args()
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client

    # No setup_test_environment(): its instrumented template rendering would add CPU
    # that a served request does not spend.
    import programme

    spec = json.loads(Path(args.pages).read_text())
    clients: dict[str, Any] = {}
    for persona, username in spec["personas"].items():
        clients[persona] = Client()
        clients[persona].force_login(User.objects.get(username=username))
    results: dict[str, Any] = {}
    for page in spec["pages"]:
        try:
            results[page["key"]] = measure(
                page, clients[page["persona"]], args.requests, args.edits
            )
        except Exception as error:
            # An older checkout may not read every row the newer code wrote: say so and go on.
            print(f"{page['label']}: {error!r}", file=sys.stderr)
            results[page["key"]] = {"status": f"error: {type(error).__name__}"}
    print(json.dumps({"code": str(Path(programme.__file__).parent.parent), "pages": results}))


if __name__ == "__main__":
    main()
