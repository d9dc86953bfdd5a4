"""The Swedish catalogue is complete, compiled and in step with the code and templates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest
from django.conf import settings

PO_PATH = Path(settings.BASE_DIR) / "locale" / "sv" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# What is not source: the virtual environment, run-time data and caches.
NOT_SOURCE = (".venv", "var", ".git", "__pycache__", ".*_cache", "node_modules")

Key = tuple[str | None, str, str]


def key_of(entry: polib.POEntry | polib.MOEntry) -> Key:
    """What identifies a message: its context, its text and its plural text."""
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def live_entries(catalogue: polib.POFile) -> list[polib.POEntry]:
    """The entries that are in use, leaving out the obsolete (#~) ones."""
    return [entry for entry in catalogue if not entry.obsolete]


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def test_every_message_is_translated(catalogue: polib.POFile) -> None:
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]

    assert untranslated == [], f"untranslated in {PO_PATH}: {untranslated}"


def test_no_translation_is_fuzzy(catalogue: polib.POFile) -> None:
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert fuzzy == [], f"fuzzy in {PO_PATH}: {fuzzy}"
    assert not catalogue.metadata_is_fuzzy


def test_catalogue_keeps_no_obsolete_messages(catalogue: polib.POFile) -> None:
    obsolete = [entry.msgid for entry in catalogue.obsolete_entries()]

    assert obsolete == [], f"obsolete (#~) in {PO_PATH}: {obsolete}"


def test_compiled_catalogue_matches_the_po_file(catalogue: polib.POFile) -> None:
    compiled = polib.mofile(str(MO_PATH))

    in_po = {
        key_of(entry): (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))
        for entry in live_entries(catalogue)
    }
    in_mo = {
        key_of(entry): (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))
        for entry in compiled
        if entry.msgid
    }
    stale = {key for key in in_po.keys() | in_mo.keys() if in_po.get(key) != in_mo.get(key)}
    assert not stale, (
        f"{MO_PATH} differs from {PO_PATH} for {sorted(stale, key=str)}; "
        "run manage.py compilemessages -l sv -i .venv -i var"
    )


def test_placeholders_match_their_translations() -> None:
    # msgfmt's format check catches a translation that drops or misspells %(name)s.
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", os.devnull, str(PO_PATH)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


def test_catalogue_holds_exactly_what_the_code_and_templates_mark(
    catalogue: polib.POFile, tmp_path: Path
) -> None:
    # Extract afresh from a copy of the source, so the real catalogue is never rewritten.
    copy = tmp_path / "project"
    shutil.copytree(settings.BASE_DIR, copy, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    copied_po = copy / PO_PATH.relative_to(settings.BASE_DIR)
    copied_po.unlink()
    copied_po.with_suffix(".mo").unlink(missing_ok=True)

    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "sv", "--no-location"]
        + [arg for pattern in NOT_SOURCE for arg in ("-i", pattern)],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "VAR_DIR": str(tmp_path / "var")},
    )
    assert result.returncode == 0, result.stderr

    extracted = {key_of(entry) for entry in live_entries(polib.pofile(str(copied_po)))}
    committed = {key_of(entry) for entry in live_entries(catalogue)}
    assert extracted - committed == set(), (
        "marked for translation but missing from the catalogue; run "
        "manage.py makemessages -l sv --no-location -i .venv -i var and translate"
    )
    assert committed - extracted == set(), "in the catalogue but no longer marked anywhere"
