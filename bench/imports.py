"""Benchmark: importing each seed as text, as a Word file and as a PDF, with its peak memory.

    .venv/bin/python bench/imports.py [--runs 5]

For each of the five seeds (fixtures/remiss/) the Word file and the PDF are made the
way the tests make them (``tests/remiss/seed_documents.py``), then the import is timed
from the file's bytes to the finished reading: the checks, the text extraction
(python-docx, pypdf) and the structure rules against the round's sections. Prints the
median and the slowest of ``--runs`` runs and the peak of Python's memory during one
import (tracemalloc), against the target of 2 s per document.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)

    from remiss.reading.document import read_document
    from remiss.reading.formats import document_lines
    from tests.remiss.seed_documents import SEEDS, pdf_file, seed_lines, word_file
    from tests.remiss.test_document_reading import _spec, _specs, targets_of

    print(f"{'seed':<6}{'kind':<6}{'bytes':>9}{'median s':>10}{'max s':>8}{'peak MB':>9}")
    worst = 0.0
    for path in sorted(SEEDS.glob("*.txt")):
        lines = seed_lines(path.name)
        round_spec = _specs()[0][_spec(path.name).round]
        targets = targets_of(round_spec)
        number = round_spec.values["registration_number"] or ""
        files = {
            "text": path.read_bytes(),
            "docx": word_file(lines),
            "pdf": pdf_file(tuple(lines)),
        }
        for kind, data in files.items():

            def run(data: bytes = data, targets: list = targets, number: str = number) -> None:
                _kind, found = document_lines(data)
                read_document(found, targets, number)

            run()  # the first run loads the parsers' modules
            times = []
            for _ in range(options.runs):
                start = time.perf_counter()
                run()
                times.append(time.perf_counter() - start)
            tracemalloc.start()
            run()
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            worst = max(worst, max(times))
            print(
                f"{path.name[:3]:<6}{kind:<6}{len(data):>9}{statistics.median(times):>10.3f}"
                f"{max(times):>8.3f}{peak / 1e6:>9.1f}"
            )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"slowest import {worst:.3f} s (target {TARGET_SECONDS} s); peak RSS {rss:.0f} MB")
    return 0 if worst <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
