"""The settings: chosen by environment variables, production refuses to start unsafe.

Each case runs in a fresh interpreter, since settings are read once per process.
"""

from __future__ import annotations

import json
import os
import secrets
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


def production_environment(tmp_path: Path) -> dict[str, str]:
    """What an operator sets in production: a long random key and the host names."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.production",
        "VAR_DIR": str(tmp_path),
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "program.example.se",
    }


def test_deployment_check_finds_nothing_in_production(tmp_path: Path) -> None:
    base = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={**base, **production_environment(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


PRINT_SECURITY = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'session_secure': s.SESSION_COOKIE_SECURE, "
    "'csrf_secure': s.CSRF_COOKIE_SECURE, 'session_httponly': s.SESSION_COOKIE_HTTPONLY, "
    "'ssl_redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, "
    "'hsts_subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, 'hsts_preload': s.SECURE_HSTS_PRELOAD, "
    "'proxy_header': s.SECURE_PROXY_SSL_HEADER, 'session_age': s.SESSION_COOKIE_AGE, "
    "'axes_limit': s.AXES_FAILURE_LIMIT, 'axes_minutes': s.AXES_COOLOFF_TIME.seconds // 60, "
    "'csp': s.CONTENT_SECURITY_POLICY['DIRECTIVES']}))"
)


def test_production_sends_cookies_over_https_only_with_hsts(tmp_path: Path) -> None:
    result = run_python(PRINT_SECURITY, production_environment(tmp_path))
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen["session_secure"] is True
    assert seen["csrf_secure"] is True
    assert seen["session_httponly"] is True
    assert seen["ssl_redirect"] is True
    assert seen["hsts"] >= 31536000
    assert seen["hsts_subdomains"] is True
    assert seen["hsts_preload"] is True
    assert seen["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert seen["session_age"] == 8 * 60 * 60
    assert (seen["axes_limit"], seen["axes_minutes"]) == (5, 15)
    for directive in ("default-src", "script-src", "style-src"):
        assert seen["csp"][directive] == ["'self'"]


def test_hsts_preload_can_be_turned_off(tmp_path: Path) -> None:
    result = run_python(
        PRINT_SECURITY, {**production_environment(tmp_path), "SECURE_HSTS_PRELOAD": "false"}
    )
    assert result.returncode == 0, result.stderr

    assert json.loads(result.stdout.strip().splitlines()[-1])["hsts_preload"] is False
