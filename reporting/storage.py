"""Where rendered reports are kept: Django's ``reports`` storage, written so no partial file shows.

A rendered file is first written under a temporary name in ``incoming/`` and then moved
to its final name, which is its SHA-256: a reader that finds the final name finds the
whole file, and a worker that dies mid-write leaves only a temporary file, which the
sweep removes. On local disk the move is one atomic rename; on other storages (S3) it is
a copy followed by removing the temporary file, and an object store's write of one
object is itself all-or-nothing.
"""

from __future__ import annotations

import datetime
import os
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages

INCOMING = "incoming"


def report_storage() -> Storage:
    """The storage that holds rendered reports (``STORAGES["reports"]``)."""
    return storages["reports"]


def final_name(sha256: str) -> str:
    """The stored name of a file with this SHA-256."""
    return f"{sha256[:2]}/{sha256}.pdf"


@dataclass(frozen=True)
class Stored:
    """Where a file was put and what it is."""

    name: str
    sha256: str
    size: int


def store(data: bytes, sha256: str, run_id: int) -> Stored:
    """Write ``data`` under a temporary name, then move it to its final name.

    Safe to repeat: a file with the same SHA-256 already in place is the same file, and
    the temporary one is removed.
    """
    storage = report_storage()
    name = final_name(sha256)
    temporary = storage.save(f"{INCOMING}/{run_id}-{secrets.token_hex(8)}.part", ContentFile(data))
    try:
        if isinstance(storage, FileSystemStorage):
            target = storage.path(name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.replace(storage.path(temporary), target)
        elif not storage.exists(name):
            with storage.open(temporary, "rb") as handle:
                storage.save(name, handle)
    finally:
        if storage.exists(temporary):
            storage.delete(temporary)
    return Stored(name=name, sha256=sha256, size=len(data))


def remove_stale_incoming(older_than: datetime.timedelta, now: datetime.datetime) -> int:
    """Remove temporary files older than ``older_than`` at ``now`` (a worker died writing)."""
    storage = report_storage()
    try:
        _, files = storage.listdir(INCOMING)
    except FileNotFoundError:
        return 0
    cutoff = now - older_than
    removed = 0
    for file in files:
        name = f"{INCOMING}/{file}"
        if storage.get_modified_time(name) < cutoff:
            storage.delete(name)
            removed += 1
    return removed
