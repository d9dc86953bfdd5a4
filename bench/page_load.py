"""The pages under load: gunicorn serving one checkout's code, wrk against one page.

Used by ``bench/pages.py``. Every address is on 127.0.0.1: the site under test runs on
this machine.
"""

from __future__ import annotations

import http.client
import io
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PYTHON = sys.executable

# wrk reports p50/p75/p90/p99 itself; the script asks for p95 too, in one parsable line.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("BENCH %d %d %d %d %.0f %.0f %.0f\\n", summary.requests,
    summary.duration, summary.errors.status, errors, latency:percentile(50),
    latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Load:
    """What wrk measured on one page."""

    requests_per_second: float
    p50: float
    p95: float
    p99: float
    bad_status: int
    errors: int


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _free(port: int) -> bool:
    """Whether nothing listens on ``port`` of 127.0.0.1."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


class Gunicorn:
    """gunicorn serving the checkout ``code`` on 127.0.0.1, ``workers`` × ``threads``.

    It runs this Python (``python -m gunicorn``) with the checkout as its working folder
    and first on ``PYTHONPATH``, so the project it imports is that checkout's.
    """

    def __init__(
        self, env: dict[str, str], code: Path, port: int, workers: int, threads: int
    ) -> None:
        self.env = env | {"PYTHONPATH": str(code)}
        self.code, self.port, self.workers, self.threads = code, port, workers, threads
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        if not _free(self.port):
            raise SystemExit(f"Port {self.port} is taken; name another with --port.")
        command = [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            f"--threads={self.threads}",
            "--log-level=warning",
        ]
        self.process = subprocess.Popen(command, cwd=self.code, env=self.env)
        deadline = time.monotonic() + 30
        while _free(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit(f"gunicorn did not start in {self.code}")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=30)
        while not _free(self.port):
            time.sleep(0.1)


def get(port: int, url: str, cookie: str, timeout: float = 120) -> tuple[int, bytes]:
    """One GET of ``url`` with the session cookie; its status and body (no redirects followed)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", url, headers={"Cookie": cookie})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def warm(port: int, url: str, cookie: str, times: int = 8) -> int:
    """Ask ``times`` times, so that no measured request pays a worker's cold start.

    Returns the status of the last answer: anything but 200 means the page is not there
    (or not as this checkout's code knows it), and is not loaded.
    """
    status = 0
    for _ in range(times):
        status, _body = get(port, url, cookie)
        if status != 200:
            return status
    return status


def wrk(port: int, url: str, cookie: str, seconds: int, connections: int, script: str) -> Load:
    """Load one page with wrk (two threads) and read its figures."""
    done = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            # A slow answer is measured, not dropped as a timeout after wrk's 2 s.
            "--timeout=30s",
            "-s",
            script,
            "-H",
            f"Cookie: {cookie}",
            f"http://127.0.0.1:{port}{url}",
        ],
        check=True,
        capture_output=True,
    )
    line = next(x for x in done.stdout.decode().splitlines() if x.startswith("BENCH "))
    requests, micros, bad_status, errors, p50, p95, p99 = (int(float(x)) for x in line.split()[1:])
    return Load(
        requests_per_second=requests / (micros / 1_000_000),
        p50=p50 / 1000,
        p95=p95 / 1000,
        p99=p99 / 1000,
        bad_status=bad_status,
        errors=errors,
    )


@dataclass(frozen=True)
class Export:
    """The Excel export of every activity of the year, downloaded over HTTP."""

    median_s: float
    slowest_s: float
    size: int
    rows: int


def time_export(port: int, url: str, cookie: str, rounds: int) -> Export | None:
    """Download the export once untimed (a fresh worker imports openpyxl), then ``rounds``
    times; None when it does not answer 200."""
    import openpyxl

    status, body = get(port, url, cookie)
    if status != 200:
        return None
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        status, body = get(port, url, cookie)
        timings.append(time.perf_counter() - started)
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    # A read-only sheet may not know its size: count the rows, less each heading row.
    rows = sum(max(sum(1 for _ in sheet.iter_rows()) - 1, 0) for sheet in book.worksheets)
    return Export(statistics.median(timings), max(timings), len(body), rows)
