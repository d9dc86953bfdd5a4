"""Sign-in security: lockout, password rules, session expiry, kept forms, CSRF and CSP.

Everything goes through the real sign-in page and the real middleware chain.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

from config.middleware import KEPT_FORMS_SESSION_KEY, SESSION_REFRESHED_KEY
from programme import access
from programme.models import BodyRole, DutyRecord, Membership
from tests.conftest import PERSONA_PASSWORD, Cast

pytestmark = pytest.mark.django_db

LOCKOUT_HEADING = "Inloggningen är tillfälligt spärrad"


def text_of(response: Any) -> str:
    """The response body as text, with runs of whitespace collapsed."""
    return re.sub(r"\s+", " ", response.content.decode())


def without_tokens(page: str) -> str:
    """The page with the CSRF tokens' values left out."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def sign_in(client: Client, username: str, password: str, next_url: str = "") -> Any:
    """Post the real sign-in form, as a browser does."""
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def fail_sign_in(client: Client, username: str, times: int) -> None:
    """Sign in ``times`` times with a wrong password; each attempt shows the form again."""
    for _ in range(times):
        response = sign_in(client, username, "fel-lösenord-igen")
        assert response.status_code == 200
        assert SESSION_KEY not in client.session


# Lockout after repeated failures


def test_wrong_password_gets_a_swedish_error_that_does_not_say_whether_the_user_exists(
    client: Client, cast: Cast
):
    known = text_of(sign_in(client, "admin_a", "fel-lösenord"))
    unknown = text_of(sign_in(client, "ingen-sadan-anvandare", "fel-lösenord"))

    message = "Ange ett korrekt användarnamn och lösenord."
    assert message in known
    assert message in unknown
    # Apart from the echoed user name and the (masked, so ever-changing) CSRF token, the
    # two pages are the same.
    assert without_tokens(known).replace("admin_a", "X") == without_tokens(unknown).replace(
        "ingen-sadan-anvandare", "X"
    )


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    client: Client, cast: Cast
):
    fail_sign_in(client, "admin_a", settings.AXES_FAILURE_LIMIT - 1)

    fifth = sign_in(client, "admin_a", "fel-lösenord-igen")
    sixth = sign_in(client, "admin_a", PERSONA_PASSWORD)

    # django-axes answers the attempt that reaches the limit, and every later one, with
    # its lockout page and 429 Too Many Requests.
    assert fifth.status_code == 429
    assert sixth.status_code == 429
    assert SESSION_KEY not in client.session
    page = text_of(sixth)
    assert LOCKOUT_HEADING in page
    assert "spärrad i 15 minuter" in page
    assert "kontakta systemadministratören" in page
    assert sixth["Content-Security-Policy"]
    assert client.get(reverse("start")).status_code == 302


def test_lockout_is_per_user_name_and_address(client: Client, cast: Cast):
    fail_sign_in(client, "admin_a", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "admin_a", "fel-lösenord-igen").status_code == 429

    other_user = sign_in(Client(), "admin_b", PERSONA_PASSWORD)
    same_user_other_address = Client(REMOTE_ADDR="10.1.2.3").post(
        reverse("login"), {"username": "admin_a", "password": PERSONA_PASSWORD}
    )

    assert other_user.status_code == 302
    assert same_user_other_address.status_code == 302


def test_a_forged_forwarded_address_does_not_escape_the_lockout(client: Client, cast: Cast):
    fail_sign_in(client, "admin_a", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "admin_a", "fel-lösenord-igen").status_code == 429

    # Without a proxy in front, X-Forwarded-For is whatever the client wrote.
    forged = Client(HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert sign_in(forged, "admin_a", PERSONA_PASSWORD).status_code == 429


def test_behind_a_proxy_the_lockout_follows_the_address_the_proxy_saw(cast: Cast, settings: Any):
    settings.TRUSTED_PROXY_COUNT = 1
    # Every request reaches the site from the proxy, 127.0.0.1.
    attacker = Client(HTTP_X_FORWARDED_FOR="203.0.113.5")
    fail_sign_in(attacker, "admin_a", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(attacker, "admin_a", "fel-lösenord-igen").status_code == 429

    # The attacker's own entries to the left of what the proxy appended do not count.
    forging = Client(HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5")
    colleague = Client(HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert sign_in(forging, "admin_a", PERSONA_PASSWORD).status_code == 429
    assert sign_in(colleague, "admin_a", PERSONA_PASSWORD).status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"


def test_sign_in_works_again_after_the_cool_off(client: Client, cast: Cast):
    fail_sign_in(client, "admin_a", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "admin_a", "fel-lösenord-igen").status_code == 429
    assert sign_in(client, "admin_a", PERSONA_PASSWORD).status_code == 429

    # Let the 15 minutes pass: every attempt is dated before the cool-off began.
    long_ago = timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=long_ago)
    response = sign_in(client, "admin_a", PERSONA_PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(cast.admin_a.pk)


def test_system_administrator_lifts_a_lockout_by_deleting_the_access_attempt(
    client: Client, cast: Cast
):
    fail_sign_in(client, "admin_a", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "admin_a", "fel-lösenord-igen").status_code == 429
    attempt = AccessAttempt.objects.get(username="admin_a")
    admin = Client()
    admin.force_login(cast.sysadmin)

    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    deleted = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert listing.status_code == 200
    assert "admin_a" in text_of(listing)
    assert deleted.status_code == 302
    assert sign_in(client, "admin_a", PERSONA_PASSWORD).status_code == 302


def test_successful_sign_in_resets_the_failure_count(client: Client, cast: Cast):
    fail_sign_in(client, "admin_a", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "admin_a", PERSONA_PASSWORD).status_code == 302
    client.post(reverse("logout"))

    # Four more failures would have been the ninth in a row: they do not lock.
    fail_sign_in(client, "admin_a", settings.AXES_FAILURE_LIMIT - 1)

    assert sign_in(client, "admin_a", PERSONA_PASSWORD).status_code == 302


# Password rules


def refusals(password: str, user: User | None = None) -> list[str]:
    """The Swedish messages with which Django's validators refuse ``password``."""
    with translation.override("sv"):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return list(error.messages)
    return []


def test_short_common_numeric_and_user_like_passwords_are_refused_in_swedish(cast: Cast):
    short = refusals("kort-ord-1")
    common = refusals("password12345")
    numeric = refusals("738291046573")
    like_the_user = refusals("jarvaadministrator", cast.admin_a)

    assert "Det här lösenordet är för kort. Det måste innehålla minst 12 tecken." in short
    assert common == ["Detta lösenord är alldeles för vanligt."]
    assert numeric == ["Detta lösenord är enbart numeriskt."]
    assert like_the_user == ["Ditt lösenord är alltför likt efternamn."]
    assert refusals("tre-gröna-cyklar-vid-kajen") == []


def test_password_change_form_refuses_a_weak_password_and_keeps_the_old_one(cast: Cast):
    with translation.override("sv"):
        form = SetPasswordForm(
            cast.admin_a, {"new_password1": "12345678", "new_password2": "12345678"}
        )
        valid = form.is_valid()
        errors = form.errors["new_password2"]

    assert not valid
    assert "Det här lösenordet är för kort. Det måste innehålla minst 12 tecken." in errors
    assert "Detta lösenord är enbart numeriskt." in errors
    cast.admin_a.refresh_from_db()
    assert cast.admin_a.check_password(PERSONA_PASSWORD)


def test_admin_set_password_page_refuses_a_weak_password_in_swedish(client: Client, cast: Cast):
    client.force_login(cast.sysadmin)
    url = reverse("admin:auth_user_password_change", args=[cast.reader_a.pk])

    response = client.post(
        url, {"password1": "password", "password2": "password", "usable_password": "true"}
    )

    assert response.status_code == 200
    page = text_of(response)
    assert "Det här lösenordet är för kort. Det måste innehålla minst 12 tecken." in page
    assert "Detta lösenord är alldeles för vanligt." in page
    cast.reader_a.refresh_from_db()
    assert cast.reader_a.check_password(PERSONA_PASSWORD)


# Session: 8 hours without activity


def session_row(client: Client) -> Session:
    """The database row of the client's session."""
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def signed_in(client: Client, user: User) -> Client:
    """``client`` signed in through the real sign-in page."""
    response = sign_in(client, user.username, PERSONA_PASSWORD)
    assert response.status_code == 302
    return client


def test_session_cookie_lasts_eight_hours(client: Client, cast: Cast):
    response = sign_in(client, "admin_a", PERSONA_PASSWORD)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == 8 * 60 * 60
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    expires_in = session_row(client).expire_date - timezone.now()
    assert datetime.timedelta(hours=7, minutes=59) < expires_in <= datetime.timedelta(hours=8)


def test_activity_starts_the_eight_hours_anew(client: Client, cast: Cast):
    signed_in(client, cast.admin_a)
    # Seven hours have passed since the last refresh: an hour of the session is left.
    session = client.session
    session[SESSION_REFRESHED_KEY] = int(timezone.now().timestamp()) - 7 * 60 * 60
    session.save()
    Session.objects.filter(pk=session.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(hours=1)
    )

    response = client.get(reverse("start"))

    assert response.status_code == 200
    expires_in = session_row(client).expire_date - timezone.now()
    assert expires_in > datetime.timedelta(hours=7, minutes=59)
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 60 * 60


def test_pages_read_within_minutes_of_a_refresh_do_not_write_the_session(
    client: Client, cast: Cast
):
    signed_in(client, cast.admin_a)
    one_hour_left = timezone.now() + datetime.timedelta(hours=1)
    Session.objects.filter(pk=client.session.session_key).update(expire_date=one_hour_left)

    response = client.get(reverse("start"))

    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert session_row(client).expire_date == one_hour_left


def test_eight_hours_without_activity_sends_the_next_request_to_sign_in(client: Client, cast: Cast):
    signed_in(client, cast.admin_a)
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = client.get(reverse("programme:list"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('programme:list')}"


def test_sign_in_marks_the_session_fresh(client: Client, cast: Cast):
    signed_in(client, cast.admin_a)

    refreshed = client.session[SESSION_REFRESHED_KEY]

    assert abs(refreshed - timezone.now().timestamp()) < 60


# CSRF on every form

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"] + [
    folder
    for folder in Path(settings.BASE_DIR).glob("*/templates")
    if not folder.is_relative_to(Path(settings.BASE_DIR) / ".venv")
]


def our_templates() -> list[Path]:
    """Every template the project itself writes (Django's and packages' are not here)."""
    return sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html"))


def test_every_template_is_found():
    names = {path.relative_to(settings.BASE_DIR).as_posix() for path in our_templates()}

    assert "templates/base.html" in names
    assert "templates/registration/login.html" in names
    assert "templates/registration/locked_out.html" in names


FORM = re.compile(r"<form\b(?P<attributes>[^>]*)>(?P<body>.*?)</form>", re.S | re.I)
POST_METHOD = re.compile(r"""\bmethod\s*=\s*["']?post\b""", re.I)


@pytest.mark.parametrize(
    "template", our_templates(), ids=lambda path: path.relative_to(settings.BASE_DIR).as_posix()
)
def test_every_post_form_carries_the_csrf_token(template: Path):
    source = template.read_text(encoding="utf-8")

    missing = [
        match.group(0)[:80]
        for match in FORM.finditer(source)
        if POST_METHOD.search(match.group("attributes"))
        and "{% csrf_token %}" not in match.group("body")
    ]

    assert missing == []
    # Every form that opens also closes, so the scan above saw all of them.
    assert len(re.findall(r"<form\b", source, re.I)) == len(FORM.findall(source))


def test_sign_in_without_the_csrf_token_is_refused(cast: Cast):
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("login"))

    response = browser.post(reverse("login"), {"username": "admin_a", "password": PERSONA_PASSWORD})

    assert response.status_code == 403
    assert SESSION_KEY not in browser.session


def test_sign_in_with_the_csrf_token_works(cast: Cast):
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("login"))
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value

    response = browser.post(
        reverse("login"),
        {"username": "admin_a", "password": PERSONA_PASSWORD, "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302


# Content-Security-Policy: no inline script or style


def policy_of(response: Any) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as directive -> sources."""
    directives: dict[str, list[str]] = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_strict_policy(response: Any) -> None:
    """Scripts and styles from our own files only; nothing inline, no eval."""
    policy = policy_of(response)
    for directive in ("script-src", "style-src", "default-src"):
        assert policy.get(directive, policy["default-src"]) == ["'self'"], directive
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


PAGES_FOR_ANYONE = ["login"]
PAGES_SIGNED_IN = ["start", "programme:list", "programme:body-list"]


@pytest.mark.parametrize("name", PAGES_FOR_ANYONE)
def test_pages_before_sign_in_send_a_strict_policy(client: Client, name: str):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert_strict_policy(response)


@pytest.mark.parametrize("name", PAGES_SIGNED_IN)
def test_signed_in_pages_send_a_strict_policy(client: Client, cast: Cast, name: str):
    client.force_login(cast.admin_a)

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert_strict_policy(response)


def test_redirects_and_error_pages_send_a_strict_policy(client: Client, cast: Cast):
    anonymous = client.get(reverse("programme:list"))
    client.force_login(cast.admin_a)
    missing = client.get("/finns-inte/")
    refused = client.get(reverse("admin:index"))

    assert (anonymous.status_code, missing.status_code, refused.status_code) == (302, 404, 403)
    for response in (anonymous, missing, refused):
        assert_strict_policy(response)


def test_admin_renders_under_the_same_strict_policy(client: Client, cast: Cast):
    # Django's admin keeps its scripts and styles in static files, so it needs no
    # relaxation of the policy.
    client.force_login(cast.sysadmin)

    index = client.get(reverse("admin:index"))
    change_form = client.get(reverse("admin:programme_membership_add"))

    assert index.status_code == 200
    assert change_form.status_code == 200
    assert_strict_policy(index)
    assert_strict_policy(change_form)


def url_names(patterns: list[Any] | None = None, namespace: str = "") -> list[str]:
    """The names of every address in the URLconf, with their namespaces."""
    names: list[str] = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += url_names(pattern.url_patterns, inner)
        elif pattern.name:
            names.append(f"{namespace}{pattern.name}")
    return names


def addresses_without_arguments() -> list[str]:
    """Every address that needs no argument, the admin's and the programme's alike."""
    found = []
    for name in sorted(set(url_names())):
        try:
            found.append(reverse(name))
        except NoReverseMatch:
            continue
    return found


def test_the_address_walk_reaches_the_site_and_the_admin():
    addresses = addresses_without_arguments()

    assert reverse("login") in addresses
    assert reverse("programme:list") in addresses
    assert reverse("admin:index") in addresses
    assert reverse("admin:programme_membership_add") in addresses


@pytest.mark.parametrize("address", addresses_without_arguments())
def test_every_address_answers_with_a_strict_policy(client: Client, cast: Cast, address: str):
    # Whatever the answer (a page, a redirect, 403, 404 or 405), for a body member and
    # for the system administrator alike.
    for persona in (cast.admin_a, cast.sysadmin):
        client.force_login(persona)

        response = client.get(address)

        assert_strict_policy(response)


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I)
SCRIPT_WITH_CONTENT = re.compile(r"<script\b[^>]*>\s*\S.*?</script>", re.S | re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
EVENT_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""=\s*["']?\s*javascript:""", re.I)


@pytest.mark.parametrize(
    "template", our_templates(), ids=lambda path: path.relative_to(settings.BASE_DIR).as_posix()
)
def test_templates_hold_no_inline_script_or_style(template: Path):
    source = template.read_text(encoding="utf-8")

    found = {
        name: pattern.findall(source)
        for name, pattern in {
            "script without src": INLINE_SCRIPT,
            "script with content": SCRIPT_WITH_CONTENT,
            "style element": STYLE_ELEMENT,
            "on* event attribute": EVENT_ATTRIBUTE,
            "style attribute": STYLE_ATTRIBUTE,
            "javascript: URL": JAVASCRIPT_URL,
        }.items()
    }

    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_template_scan_catches_what_it_looks_for():
    offending = [
        "<script>alert(1)</script>",
        '<script src="/static/x.js">alert(1)</script>',
        "<style>p { color: red }</style>",
        '<button onclick="go()">',
        '<p style="color: red">',
        '<a href="javascript:go()">',
    ]
    patterns = [
        INLINE_SCRIPT,
        SCRIPT_WITH_CONTENT,
        STYLE_ELEMENT,
        EVENT_ATTRIBUTE,
        STYLE_ATTRIBUTE,
        JAVASCRIPT_URL,
    ]

    for snippet in offending:
        assert any(pattern.search(snippet) for pattern in patterns), snippet
    assert not any(pattern.search('<script src="/static/x.js"></script>') for pattern in patterns)
    assert not any(pattern.search('<p class="lead">Stil och on-line</p>') for pattern in patterns)


# A form posted after the session ended is given back after signing in again

KEPT_MESSAGE = "Din session hade gått ut, så dina ändringar sparades inte."
TYPED = "Analysen antogs av nämnden efter tre workshoppar med polisen och skolorna."


def duty_edit_url(cast: Cast, duty: str = "risk_analysis", year: int = 2025) -> str:
    """The real duty form of Järva (admin_a's body)."""
    return reverse(
        "programme:duty-edit", kwargs={"slug": cast.body_a.slug, "year": year, "duty": duty}
    )


def typed_form(browser: Client) -> dict[str, Any]:
    """What the administrator typed into the duty form, with the page's CSRF token."""
    return {
        "status": "in_progress",
        "completed_on": "",
        "confidentiality": "internal",
        "description": TYPED,
        "version": "0",
        "csrfmiddlewaretoken": browser.cookies[settings.CSRF_COOKIE_NAME].value,
    }


def signed_in_browser(user: User) -> Client:
    """A browser that checks CSRF like a real one, signed in through the sign-in page."""
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("login"))
    response = browser.post(
        reverse("login"),
        {
            "username": user.username,
            "password": PERSONA_PASSWORD,
            "csrfmiddlewaretoken": browser.cookies[settings.CSRF_COOKIE_NAME].value,
        },
    )
    assert response.status_code == 302
    return browser


def duty_records(cast: Cast) -> list[tuple[str, str]]:
    """Järva's saved duty records, as (duty, description)."""
    return list(DutyRecord.objects.filter(body=cast.body_a).values_list("duty", "description"))


def end_session_on_the_server(browser: Client) -> None:
    """The session ran out: the server no longer knows it (the browser still sends it)."""
    Session.objects.filter(session_key=browser.cookies[settings.SESSION_COOKIE_NAME].value).delete()


def test_form_posted_after_the_session_ended_is_given_back_after_signing_in(cast: Cast):
    browser = signed_in_browser(cast.admin_a)
    url = duty_edit_url(cast)
    assert browser.get(url).status_code == 200
    end_session_on_the_server(browser)

    posted = browser.post(
        url, {**typed_form(browser), "evidence": SimpleUploadedFile("rsa.pdf", b"%PDF-1.4")}
    )

    assert posted.status_code == 302
    assert posted["Location"] == f"{reverse('login')}?next={url}"
    assert duty_records(cast) == []
    kept = browser.session[KEPT_FORMS_SESSION_KEY][url]
    assert kept["description"] == [TYPED]
    assert "evidence" not in kept
    assert "csrfmiddlewaretoken" not in kept

    sign_in_page = browser.get(posted["Location"])
    signed_in_again = browser.post(
        reverse("login"),
        {
            "username": "admin_a",
            "password": PERSONA_PASSWORD,
            "next": url,
            "csrfmiddlewaretoken": browser.cookies[settings.CSRF_COOKIE_NAME].value,
        },
    )
    form_again = browser.get(url)

    assert sign_in_page.status_code == 200
    assert signed_in_again.status_code == 302
    assert signed_in_again["Location"] == url
    assert form_again.status_code == 200
    page = text_of(form_again)
    assert TYPED in page
    assert KEPT_MESSAGE in page
    # Nothing is saved until the administrator saves again.
    assert duty_records(cast) == []

    saved = browser.post(url, typed_form(browser))

    assert saved.status_code == 302
    assert duty_records(cast) == [("risk_analysis", TYPED)]


def test_kept_form_goes_only_to_its_own_address_and_only_once(cast: Cast):
    browser = signed_in_browser(cast.admin_a)
    url = duty_edit_url(cast)
    end_session_on_the_server(browser)
    browser.post(url, typed_form(browser))
    browser.get(reverse("login"))
    browser.post(
        reverse("login"),
        {
            "username": "admin_a",
            "password": PERSONA_PASSWORD,
            "csrfmiddlewaretoken": browser.cookies[settings.CSRF_COOKIE_NAME].value,
        },
    )

    other_form = text_of(browser.get(duty_edit_url(cast, duty="crisis_plan")))
    own_form = text_of(browser.get(url))
    own_form_again = text_of(browser.get(url))

    assert TYPED not in other_form
    assert KEPT_MESSAGE not in other_form
    assert TYPED in own_form
    assert TYPED not in own_form_again
    assert KEPT_MESSAGE not in own_form_again
    assert duty_records(cast) == []


def test_kept_form_is_not_given_to_another_person_signing_in_on_the_same_browser(cast: Cast):
    # A shared computer: Järva's administrator's session runs out with text unsaved; a
    # colleague who may edit the same record signs in next on the same browser.
    colleague = cast.reader_a
    Membership.objects.filter(user=colleague).update(role=BodyRole.ADMINISTRATOR)
    access.sync_body_permissions(colleague.pk)
    browser = signed_in_browser(cast.admin_a)
    url = duty_edit_url(cast)
    end_session_on_the_server(browser)
    browser.post(url, typed_form(browser))
    browser.get(reverse("login"))
    browser.post(
        reverse("login"),
        {
            "username": colleague.username,
            "password": PERSONA_PASSWORD,
            "csrfmiddlewaretoken": browser.cookies[settings.CSRF_COOKIE_NAME].value,
        },
    )

    page = browser.get(url)

    assert page.status_code == 200
    assert TYPED not in text_of(page)
    assert KEPT_MESSAGE not in text_of(page)


def test_nothing_is_kept_after_signing_out_on_purpose(cast: Cast):
    browser = signed_in_browser(cast.admin_a)
    url = duty_edit_url(cast)
    browser.post(
        reverse("logout"),
        {"csrfmiddlewaretoken": browser.cookies[settings.CSRF_COOKIE_NAME].value},
    )

    browser.post(url, typed_form(browser))

    assert KEPT_FORMS_SESSION_KEY not in browser.session


def test_passwords_are_never_kept_over_a_sign_in(cast: Cast):
    browser = signed_in_browser(cast.admin_a)
    url = duty_edit_url(cast)
    end_session_on_the_server(browser)

    response = browser.post(
        url, {**typed_form(browser), "new_password1": "ett-nytt-hemligt-lösenord"}
    )

    assert response.status_code == 302
    assert browser.session[KEPT_FORMS_SESSION_KEY][url]["description"] == [TYPED]
    stored = [repr(row.get_decoded()) for row in Session.objects.all()]
    assert any(TYPED in data for data in stored)
    assert not any("hemligt" in data for data in stored)


def test_admin_password_form_posted_after_the_session_ended_keeps_no_password(cast: Cast):
    browser = signed_in_browser(cast.sysadmin)
    url = reverse("admin:auth_user_password_change", args=[cast.reader_a.pk])
    end_session_on_the_server(browser)

    response = browser.post(
        url,
        {
            "password1": "ett-nytt-hemligt-lösenord",
            "password2": "ett-nytt-hemligt-lösenord",
            "usable_password": "true",
            "csrfmiddlewaretoken": browser.cookies[settings.CSRF_COOKIE_NAME].value,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert not any("hemligt" in repr(row.get_decoded()) for row in Session.objects.all())
    cast.reader_a.refresh_from_db()
    assert cast.reader_a.check_password(PERSONA_PASSWORD)


def test_upload_posted_after_the_session_ended_leads_back_to_the_page_it_was_on(cast: Cast):
    browser = signed_in_browser(cast.admin_a)
    assert browser.post(duty_edit_url(cast), typed_form(browser)).status_code == 302
    kwargs = {"slug": cast.body_a.slug, "year": 2025, "duty": "risk_analysis"}
    detail = reverse("programme:duty-detail", kwargs=kwargs)
    end_session_on_the_server(browser)

    # The upload address takes only POST: going back to it after signing in would
    # answer 405, so the sign-in leads back to the record's page the form was on.
    posted = browser.post(
        reverse("programme:evidence-upload", kwargs=kwargs),
        {
            "file": SimpleUploadedFile("rsa.pdf", b"%PDF-1.4"),
            "csrfmiddlewaretoken": browser.cookies[settings.CSRF_COOKIE_NAME].value,
        },
        headers={"referer": f"http://testserver{detail}"},
    )

    assert posted.status_code == 302
    assert posted["Location"] == f"{reverse('login')}?next={detail}"
    signed_in_again = browser.post(
        reverse("login"),
        {
            "username": "admin_a",
            "password": PERSONA_PASSWORD,
            "next": detail,
            "csrfmiddlewaretoken": browser.cookies[settings.CSRF_COOKIE_NAME].value,
        },
    )
    assert signed_in_again["Location"] == detail
    assert browser.get(detail).status_code == 200


@pytest.mark.parametrize(
    "referer",
    ["https://elsewhere.example/namnder/", "javascript:alert(1)", "", "http://testserver"],
)
def test_a_foreign_or_empty_referer_leads_back_to_the_address_posted_to(cast: Cast, referer: str):
    browser = signed_in_browser(cast.admin_a)
    url = duty_edit_url(cast)
    end_session_on_the_server(browser)

    posted = browser.post(url, typed_form(browser), headers={"referer": referer})

    assert posted["Location"] == f"{reverse('login')}?next={url}"


def test_form_posted_within_a_live_session_saves_at_once(cast: Cast):
    browser = signed_in_browser(cast.admin_a)
    url = duty_edit_url(cast)

    response = browser.post(url, typed_form(browser))

    assert response.status_code == 302
    assert duty_records(cast) == [("risk_analysis", TYPED)]
    assert KEPT_FORMS_SESSION_KEY not in browser.session


def test_product_form_without_the_csrf_token_is_refused(cast: Cast):
    browser = signed_in_browser(cast.admin_a)
    form = typed_form(browser)
    del form["csrfmiddlewaretoken"]

    response = browser.post(duty_edit_url(cast), form)

    assert response.status_code == 403
    assert duty_records(cast) == []
