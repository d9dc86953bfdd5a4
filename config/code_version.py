"""The version of the code a process runs: a digest of its source, templates and
translations, read once at start.

Rendered fragments are cached under keys made of everything they show, but not of the
markup that shows it: a Redis cache shared by every process outlives a deployment, and
without this the processes of a new release would serve fragments written by the old
one. The digest is the cache's key prefix (``config.settings``), so each release reads
and writes its own entries and the old ones expire.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import django

# What a fragment's text can depend on: the code (filters, tags, the models' labels and
# choices), the templates and the compiled translations.
SOURCES = (
    ("config", "*.py"),
    ("programme", "**/*.py"),
    ("remiss", "**/*.py"),
    ("reporting", "**/*.py"),
    ("templates", "**/*.html"),
    ("locale", "**/*.mo"),
)


def code_version(base_dir: Path) -> str:
    """A short digest of every file that shapes a rendered page, and Django's version."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(f"django {django.get_version()}".encode())
    files = sorted(
        path
        for folder, pattern in SOURCES
        for path in (base_dir / folder).glob(pattern)
        if path.is_file() and "migrations" not in path.parts
    )
    for path in files:
        digest.update(str(path.relative_to(base_dir)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
