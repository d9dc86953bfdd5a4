"""The settings: chosen by environment variables, production refuses to start unsafe.

Each case runs in a fresh interpreter, since settings are read once per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'debug': s.DEBUG, "
    "'hosts': s.ALLOWED_HOSTS, 'broker': s.CELERY_BROKER_URL, "
    "'secure_cookie': s.SESSION_COOKIE_SECURE, 'hsts': s.SECURE_HSTS_SECONDS}))"
)


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter in the project folder with exactly ``env`` added."""
    base = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "CELERY_BROKER_URL",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def read_settings(env: dict[str, str]) -> dict[str, object]:
    """The settings a new process sees under ``env``."""
    result = run_python(PRINT_SETTINGS, env)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def test_defaults_need_no_server(tmp_path: Path) -> None:
    seen = read_settings({"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path)})
    assert seen["engine"] == "django.db.backends.sqlite3"
    assert seen["name"] == str(tmp_path / "db.sqlite3")
    assert seen["broker"] == "filesystem://"
    assert (tmp_path / "broker" / "queue").is_dir()


def test_database_url_selects_postgresql(tmp_path: Path) -> None:
    seen = read_settings(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "VAR_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://someone@db.example:5432/programme",
        }
    )
    assert seen["engine"] == "django.db.backends.postgresql"
    assert seen["name"] == "programme"


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = run_python(
        "import django; django.setup()",
        {
            "DJANGO_SETTINGS_MODULE": "config.production",
            "VAR_DIR": str(tmp_path),
            "ALLOWED_HOSTS": "program.example.se",
        },
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path: Path) -> None:
    result = run_python(
        "import django; django.setup()",
        {
            "DJANGO_SETTINGS_MODULE": "config.production",
            "VAR_DIR": str(tmp_path),
            "SECRET_KEY": "x" * 60,
        },
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_is_hardened_when_configured(tmp_path: Path) -> None:
    seen = read_settings(
        {
            "DJANGO_SETTINGS_MODULE": "config.production",
            "VAR_DIR": str(tmp_path),
            "SECRET_KEY": "a-long-random-production-secret-" + "q" * 40,
            "ALLOWED_HOSTS": "program.example.se",
        }
    )
    assert seen["debug"] is False
    assert seen["hosts"] == ["program.example.se"]
    assert seen["secure_cookie"] is True
    assert isinstance(seen["hsts"], int) and seen["hsts"] >= 31536000
