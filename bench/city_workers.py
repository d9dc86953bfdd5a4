"""The Celery workers of the city-wide benchmark (``bench/city_reports.py``).

``Workers`` starts one ``celery -A config worker`` on the benchmark's own queue, waits
until it is ready (its start is timed), reads each pool process's peak resident memory
(``VmHWM`` of ``/proc/<pid>/status``, reset with ``clear_refs``; pool processes that
exited wrote theirs on ``worker_process_shutdown``, ``bench/city_settings.py``) and
stops it, ending by their ids any pool processes left behind. ``empty_redis`` checks
that the broker's database holds nothing before the run.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
READY_TIMEOUT = 90.0


def empty_redis(url: str) -> Any:
    """A client of the benchmark's Redis database, which must hold nothing yet."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    if client.dbsize():
        raise SystemExit(f"Redis database {url} is not empty; choose another with --redis-db.")
    return client


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (a worker's pool processes), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def memory_kib(pid: int) -> dict[str, int]:
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


@dataclass
class Workers:
    """One Celery worker (``--concurrency`` pool processes) on the benchmark's queue."""

    concurrency: int
    process: subprocess.Popen[bytes]
    log: Path
    memory_dir: Path
    start_seconds: float = 0.0
    seen_pools: set[int] = field(default_factory=set)
    # Pool processes that exited since the last reset, and their peaks (KiB).
    exited: dict[int, int] = field(default_factory=dict)

    @classmethod
    def start(cls, env: dict[str, str], directory: Path, queue: str, concurrency: int) -> Workers:
        """Start the worker and wait until it is ready; its start is timed."""
        name = f"city-{concurrency}-{uuid.uuid4().hex[:6]}"
        log = directory / f"{name}.log"
        began = time.monotonic()
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--queues",
                    queue,
                    "--hostname",
                    f"{name}@bench",
                    "--concurrency",
                    str(concurrency),
                    "--loglevel",
                    "INFO",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        workers = cls(concurrency, process, log, Path(env["BENCH_CITY_MEMORY_DIR"]))
        deadline = began + READY_TIMEOUT
        while " ready." not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                workers.stop()
                raise SystemExit(f"The worker did not start:\n{log.read_text()[-4000:]}")
            time.sleep(0.05)
        workers.start_seconds = time.monotonic() - began
        workers.seen_pools.update(workers.pool_pids())
        return workers

    def pool_pids(self) -> list[int]:
        return children(self.process.pid)

    def check(self) -> None:
        """Fail with the worker's log if it died."""
        if self.process.poll() is not None:
            raise SystemExit(f"The worker stopped:\n{self.log.read_text()[-4000:]}")

    def reset_peaks(self) -> None:
        """Start each pool process's peak memory afresh (``clear_refs``: 5)."""
        self.collect_exited()
        for pid in self.pool_pids():
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        self.exited.clear()

    def collect_exited(self) -> None:
        """Peaks that pool processes which exited wrote (``city_settings``)."""
        for path in self.memory_dir.glob("*.json"):
            record = json.loads(path.read_text())
            if record.get("ppid") == self.process.pid:
                self.exited[record["pid"]] = record.get("VmHWM", 0)
                path.unlink()

    def peaks(self) -> dict[int, int]:
        """Each pool process's peak resident memory in KiB, live or exited since the reset."""
        self.collect_exited()
        found = dict(self.exited)
        for pid in self.pool_pids():
            self.seen_pools.add(pid)
            found[pid] = max(found.get(pid, 0), memory_kib(pid).get("VmHWM", 0))
        return found

    def stop(self) -> None:
        """A warm shutdown of the worker (its pool processes exit), by force after 20 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        for pid in self.seen_pools:
            # A pool process left behind (its session is the worker's): end it by its id.
            if memory_kib(pid) and Path(f"/proc/{pid}").exists():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
