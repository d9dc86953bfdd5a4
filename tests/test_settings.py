"""The settings: chosen by environment variables, safe by default, production hardened.

Each case runs in a fresh interpreter, since settings are read once per process, with an
environment the test controls whole: PATH and HOME, and only what the test sets. Nothing
the calling shell exported (DEBUG, DATABASE_URL, SECRET_KEY, ...) reaches it.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from config.code_version import code_version
from config.settings import DEVELOPMENT_SECRET_KEY

PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'debug': s.DEBUG, "
    "'development_key': s.SECRET_KEY == s.DEVELOPMENT_SECRET_KEY, "
    "'hosts': s.ALLOWED_HOSTS, 'broker': s.CELERY_BROKER_URL, "
    "'secure_cookie': s.SESSION_COOKIE_SECURE, 'hsts': s.SECURE_HSTS_SECONDS}))"
)
DEPLOY_CHECK = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]


def clean_environment(env: dict[str, str]) -> dict[str, str]:
    """A new process's whole environment: PATH and HOME, and ``env``; nothing inherited."""
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": os.environ.get("HOME", "/"),
        **env,
    }


def run(arguments: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run Python with ``arguments`` in the project folder under exactly ``env``, PATH, HOME."""
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=settings.BASE_DIR,
        env=clean_environment(env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter under ``env``."""
    return run(["-c", code], env)


def read_settings(env: dict[str, str], code: str = PRINT_SETTINGS) -> dict[str, object]:
    """The settings a new process sees under ``env``."""
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """The process refused to start, with ImproperlyConfigured naming each of ``words``."""
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr, result.stderr
    message = result.stderr.strip().splitlines()[-1]
    for word in words:
        assert word in message, message


# --- config.settings: told where it runs, or it refuses ---------------------------------------


def test_without_an_environment_the_site_refuses_and_says_what_to_set() -> None:
    result = run(["manage.py", "check"], {})

    assert_refused(result, "DEBUG=1", "SECRET_KEY", "long random value")


@pytest.mark.parametrize(
    "env",
    [
        {"DEBUG": "0"},
        {"DEBUG": "false", "SECRET_KEY": ""},
        {"SECRET_KEY": DEVELOPMENT_SECRET_KEY},
        {"DEBUG": "0", "SECRET_KEY": DEVELOPMENT_SECRET_KEY},
    ],
    ids=["debug-off", "empty-key", "development-key", "debug-off-development-key"],
)
def test_debug_off_with_the_development_key_refuses(env: dict[str, str], tmp_path: Path) -> None:
    result = run_python(
        "import django; django.setup()",
        {"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path), **env},
    )

    assert_refused(result, "DEBUG=1", "SECRET_KEY")


def test_debug_on_starts_for_development_with_no_server(tmp_path: Path) -> None:
    seen = read_settings(
        {"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path), "DEBUG": "1"}
    )
    assert seen["debug"] is True
    assert seen["development_key"] is True
    assert seen["engine"] == "django.db.backends.sqlite3"
    assert seen["name"] == str(tmp_path / "db.sqlite3")
    assert seen["broker"] == "filesystem://"
    assert (tmp_path / "broker" / "queue").is_dir()


def test_manage_py_check_passes_with_debug_on(tmp_path: Path) -> None:
    result = run(["manage.py", "check"], {"DEBUG": "1", "VAR_DIR": str(tmp_path)})

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_real_secret_key_starts_with_debug_off(tmp_path: Path) -> None:
    seen = read_settings(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "VAR_DIR": str(tmp_path),
            "SECRET_KEY": secrets.token_urlsafe(50),
        }
    )
    assert seen["debug"] is False
    assert seen["development_key"] is False


def test_database_url_selects_postgresql(tmp_path: Path) -> None:
    seen = read_settings(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "VAR_DIR": str(tmp_path),
            "DEBUG": "1",
            "DATABASE_URL": "postgres://someone@db.example:5432/programme",
        }
    )
    assert seen["engine"] == "django.db.backends.postgresql"
    assert seen["name"] == "programme"


def test_plain_pytest_needs_no_exported_variable() -> None:
    """pytest loads tests/settings.py, which turns debug on for the suite and its processes."""
    result = run(
        [
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_settings.py",
        ],
        {},
    )
    assert result.returncode == 0, result.stdout + result.stderr

    seen = read_settings(
        {"DJANGO_SETTINGS_MODULE": "tests.settings"},
        "import json, os, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'debug': s.DEBUG, 'exported': os.environ['DEBUG']}))",
    )
    assert seen == {"debug": True, "exported": "1"}


# --- config.production: hardened, and refuses what is unsafe ----------------------------------


def production_environment(tmp_path: Path) -> dict[str, str]:
    """What an operator sets in production: a long random key and the host names."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.production",
        "VAR_DIR": str(tmp_path),
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "program.example.se",
    }


@pytest.mark.parametrize("debug", [{}, {"DEBUG": "1"}], ids=["debug-unset", "debug-on"])
def test_production_refuses_to_start_without_a_secret_key(
    debug: dict[str, str], tmp_path: Path
) -> None:
    env = production_environment(tmp_path)
    del env["SECRET_KEY"]

    result = run_python("import django; django.setup()", {**env, **debug})

    assert_refused(result, "SECRET_KEY must be set")


def test_production_refuses_the_development_key(tmp_path: Path) -> None:
    result = run_python(
        "import django; django.setup()",
        {**production_environment(tmp_path), "SECRET_KEY": DEVELOPMENT_SECRET_KEY},
    )

    assert_refused(result, "SECRET_KEY", "development key")


def test_production_refuses_to_start_without_allowed_hosts(tmp_path: Path) -> None:
    env = production_environment(tmp_path)
    del env["ALLOWED_HOSTS"]

    result = run_python("import django; django.setup()", env)

    assert_refused(result, "ALLOWED_HOSTS must be set")


def test_production_refuses_debug_on_rather_than_ignoring_it(tmp_path: Path) -> None:
    result = run(DEPLOY_CHECK, {**production_environment(tmp_path), "DEBUG": "1"})

    assert_refused(result, "DEBUG", "never runs with debug on")


def test_production_is_hardened_when_configured(tmp_path: Path) -> None:
    seen = read_settings({**production_environment(tmp_path), "DEBUG": "0"})
    assert seen["debug"] is False
    assert seen["development_key"] is False
    assert seen["hosts"] == ["program.example.se"]
    assert seen["secure_cookie"] is True
    assert isinstance(seen["hsts"], int) and seen["hsts"] >= 31536000


def test_deployment_check_is_clean_whatever_the_shell_exported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A hostile calling shell: each of these would make the check fail if it leaked in
    # (production refuses debug; dj-database-url refuses an unknown scheme).
    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.setenv("DATABASE_URL", "bogus://leaked-from-the-calling-shell")
    monkeypatch.setenv("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "config.settings")

    result = run(DEPLOY_CHECK, production_environment(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    # The one silenced is security.W021: HSTS preloading is off by default (below).
    assert "System check identified no issues (1 silenced)." in result.stdout


PRINT_SECURITY = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'session_secure': s.SESSION_COOKIE_SECURE, "
    "'csrf_secure': s.CSRF_COOKIE_SECURE, 'session_httponly': s.SESSION_COOKIE_HTTPONLY, "
    "'ssl_redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, "
    "'hsts_subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, 'hsts_preload': s.SECURE_HSTS_PRELOAD, "
    "'silenced': s.SILENCED_SYSTEM_CHECKS, "
    "'proxy_header': s.SECURE_PROXY_SSL_HEADER, 'session_age': s.SESSION_COOKIE_AGE, "
    "'axes_limit': s.AXES_FAILURE_LIMIT, 'axes_minutes': s.AXES_COOLOFF_TIME.seconds // 60, "
    "'csp': s.CONTENT_SECURITY_POLICY['DIRECTIVES']}))"
)


def test_production_sends_cookies_over_https_only_with_hsts(tmp_path: Path) -> None:
    seen = read_settings(production_environment(tmp_path), PRINT_SECURITY)

    assert seen["session_secure"] is True
    assert seen["csrf_secure"] is True
    assert seen["session_httponly"] is True
    assert seen["ssl_redirect"] is True
    assert seen["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert seen["session_age"] == 8 * 60 * 60
    assert (seen["axes_limit"], seen["axes_minutes"]) == (5, 15)
    csp = seen["csp"]
    assert isinstance(csp, dict)
    for directive in ("default-src", "script-src", "style-src"):
        assert csp[directive] == ["'self'"]


def test_hsts_preload_is_opt_in_with_w021_silenced_and_hsts_kept(tmp_path: Path) -> None:
    seen = read_settings(production_environment(tmp_path), PRINT_SECURITY)

    assert seen["hsts_preload"] is False
    assert seen["silenced"] == ["security.W021"]
    assert isinstance(seen["hsts"], int) and seen["hsts"] >= 31536000
    assert seen["hsts_subdomains"] is True


def test_hsts_preload_is_on_when_opted_in(tmp_path: Path) -> None:
    env = {**production_environment(tmp_path), "SECURE_HSTS_PRELOAD": "1"}

    assert read_settings(env, PRINT_SECURITY)["hsts_preload"] is True
    result = run(DEPLOY_CHECK, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


PRINT_CACHE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps(s.CACHES['default']))"
)
PRINT_PAGES_CACHE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps(s.CACHES['pages']))"
)


@pytest.mark.parametrize(
    ("cache_url", "backend"),
    [
        ("", "django.core.cache.backends.locmem.LocMemCache"),
        ("redis://127.0.0.1:6379/2", "django.core.cache.backends.redis.RedisCache"),
    ],
    ids=["default-in-memory", "redis"],
)
def test_the_fragment_cache_is_in_memory_unless_cache_url_names_redis(
    cache_url: str, backend: str, tmp_path: Path
) -> None:
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path), "DEBUG": "1"}
    seen = read_settings({**env, "CACHE_URL": cache_url}, PRINT_CACHE)

    assert seen["BACKEND"] == backend
    if cache_url:
        assert seen["LOCATION"] == cache_url
        # Each release keeps its own entries in the shared cache.
        assert seen["KEY_PREFIX"] == code_version(Path(settings.BASE_DIR))
    # The whole parts of a page are kept apart: in memory, in fewer entries.
    pages = read_settings({**env, "CACHE_URL": cache_url}, PRINT_PAGES_CACHE)
    assert pages["BACKEND"] == backend
    if cache_url:
        assert (pages["LOCATION"], pages["KEY_PREFIX"]) == (cache_url, seen["KEY_PREFIX"])
    else:
        assert pages["LOCATION"] != seen["LOCATION"]
        pages_options, default_options = pages["OPTIONS"], seen["OPTIONS"]
        assert isinstance(pages_options, dict) and isinstance(default_options, dict)
        assert pages_options["MAX_ENTRIES"] < default_options["MAX_ENTRIES"]


def _source_tree(root: Path) -> Path:
    for folder in ("config", "programme", "remiss", "reporting", "templates", "locale/sv"):
        (root / folder).mkdir(parents=True)
    (root / "programme" / "views.py").write_text("VIEW = 1\n")
    (root / "templates" / "page.html").write_text("<p>{{ text }}</p>\n")
    (root / "locale" / "sv" / "django.mo").write_bytes(b"\x00catalogue")
    return root


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("programme/views.py", "VIEW = 2\n"),
        ("templates/page.html", "<p class='x'>{{ text }}</p>\n"),
        ("locale/sv/django.mo", "\x00other catalogue"),
        ("remiss/templatetags/shown.py", "SHOWN = True\n"),
    ],
)
def test_the_code_version_changes_with_the_code_templates_and_translations(
    path: str, content: str, tmp_path: Path
) -> None:
    root = _source_tree(tmp_path)
    before = code_version(root)
    assert code_version(root) == before
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(content)
    assert code_version(root) != before


def test_the_code_version_ignores_what_does_not_shape_a_page(tmp_path: Path) -> None:
    root = _source_tree(tmp_path)
    before = code_version(root)
    (root / "programme" / "migrations").mkdir()
    (root / "programme" / "migrations" / "0001_initial.py").write_text("# a migration\n")
    (root / "notes.txt").write_text("a note\n")
    assert code_version(root) == before


def test_a_cache_url_that_is_not_redis_refuses(tmp_path: Path) -> None:
    result = run_python(
        "import django; django.setup()",
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "VAR_DIR": str(tmp_path),
            "DEBUG": "1",
            "CACHE_URL": "memcached://127.0.0.1:11211",
        },
    )

    assert_refused(result, "CACHE_URL", "redis://")


PRINT_DATABASE_OPTIONS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
)
POSTGRES_URL = "postgres://someone@db.example:5432/programme"


@pytest.mark.parametrize(
    ("threshold", "options"),
    [
        (None, {"prepare_threshold": 5, "server_side_binding": True}),
        ("2", {"prepare_threshold": 2, "server_side_binding": True}),
        ("off", {"prepare_threshold": None}),
    ],
    ids=["default", "two-runs", "off"],
)
def test_postgresql_prepares_the_queries_a_connection_repeats_unless_told_not_to(
    threshold: str | None, options: dict[str, object], tmp_path: Path
) -> None:
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(tmp_path),
        "DEBUG": "1",
        "DATABASE_URL": POSTGRES_URL,
    }
    if threshold is not None:
        env["DATABASE_PREPARE_THRESHOLD"] = threshold
    assert read_settings(env, PRINT_DATABASE_OPTIONS) == options


def test_sqlite_has_no_prepared_statement_options(tmp_path: Path) -> None:
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path), "DEBUG": "1"}
    assert read_settings(env, PRINT_DATABASE_OPTIONS) == {}


def test_a_prepare_threshold_that_is_no_number_refuses(tmp_path: Path) -> None:
    result = run_python(
        "import django; django.setup()",
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "VAR_DIR": str(tmp_path),
            "DEBUG": "1",
            "DATABASE_URL": POSTGRES_URL,
            "DATABASE_PREPARE_THRESHOLD": "often",
        },
    )

    assert_refused(result, "DATABASE_PREPARE_THRESHOLD", "'off'")
