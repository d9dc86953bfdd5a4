"""Middleware of the site as a whole."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseRedirect, QueryDict
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

KEPT_FORMS_SESSION_KEY = "kept_forms"
KEPT_FORMS_OWNER_SESSION_KEY = "kept_forms_owner"


def is_kept_field(name: str) -> bool:
    """Whether a posted field is kept over a sign-in: never the CSRF token, never a password.

    Kept fields sit in the session table until the form is opened again; a password
    (an admin's set-password form, say) must never be stored there in plain text.
    """
    return name != "csrfmiddlewaretoken" and "password" not in name.lower()


class SwedishByDefaultLocaleMiddleware(LocaleMiddleware):
    """Speak Swedish unless the user has chosen another language with the switch.

    Django's own middleware also follows the browser's Accept-Language header, which
    would show an English page to a Swedish official whose browser happens to be set to
    English. Here only the language cookie, set by the language switch, counts.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = settings.LANGUAGE_CODE
        if chosen:
            # A cookie naming a language the site does not offer leaves it Swedish.
            with contextlib.suppress(LookupError):
                language = translation.get_supported_language_variant(chosen)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class FormKeepingLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Send anonymous visitors to sign in, and keep a form posted after the session ended.

    A civil servant who types for hours and saves after the 8-hour session has run out
    must not lose the text. The posted fields (never files, the CSRF token or a password:
    see ``is_kept_field``) are kept in the new anonymous session under the form's
    address; signing in keeps the session's data, and the form view gets them back
    through ``kept_form_data``.
    """

    def handle_no_permission(self, request: HttpRequest, view_func: Any) -> HttpResponseRedirect:
        if request.method == "POST":
            fields = {
                name: request.POST.getlist(name) for name in request.POST if is_kept_field(name)
            }
            owner = last_user_id(request)
            # Only a session that ended on its own is known to have an owner; after an
            # explicit sign-out (or with no one signed in before) nothing is kept.
            if fields and owner is not None:
                kept = request.session.get(KEPT_FORMS_SESSION_KEY, {})
                kept[request.path] = fields
                request.session[KEPT_FORMS_SESSION_KEY] = kept
                request.session[KEPT_FORMS_OWNER_SESSION_KEY] = owner
            return redirect_to_login(form_page(request), self.get_login_url(view_func))
        return super().handle_no_permission(request, view_func)


def form_page(request: HttpRequest) -> str:
    """Where to go back to after signing in, for a form posted after the session ended.

    The page the form was on (the Referer, when it is one of ours): a form may post to
    an address that takes no GET (an evidence upload, the sign-out), which would answer
    405 after signing in. Without a usable Referer, the address posted to.
    """
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if parts.path:
            return urlunsplit(("", "", parts.path, parts.query, ""))
    return request.get_full_path()


def kept_form_data(request: HttpRequest) -> QueryDict | None:
    """The data a form view should bind: this POST, or the form kept when the session ended.

    Returns None on a plain GET with nothing kept. Kept data is handed out once and only
    to a signed-in user at the same address; the view shows it for the user to check and
    save, with a message that says so.
    """
    if request.method == "POST":
        return request.POST
    kept = request.session.get(KEPT_FORMS_SESSION_KEY)
    if not kept or request.path not in kept or not request.user.is_authenticated:
        return None
    fields = kept.pop(request.path)
    request.session[KEPT_FORMS_SESSION_KEY] = kept
    # On a shared computer another person may sign in next: they get nothing.
    if request.session.get(KEPT_FORMS_OWNER_SESSION_KEY) != str(request.user.pk):
        return None
    data = QueryDict(mutable=True)
    for name, values in fields.items():
        data.setlist(name, values)
    messages.info(
        request,
        _(
            "Your session had ended, so your changes were not saved. What you typed is "
            "below: check it and save again. Attached files must be chosen again."
        ),
    )
    return data


SESSION_REFRESHED_KEY = "refreshed_at"


class SlidingSessionMiddleware:
    """End a signed-in session after ``SESSION_COOKIE_AGE`` without activity, not after it began.

    Saving the session on every request would cost a database write per page. Instead
    the session is marked changed, and so saved with a new expiry, when its last refresh
    is more than ``SESSION_REFRESH_INTERVAL`` seconds old; the inactivity limit is thus
    kept to within that interval.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        signed_in_before = request.user.is_authenticated
        if signed_in_before:
            now = int(time.time())
            refreshed = request.session.get(SESSION_REFRESHED_KEY, 0)
            if now - refreshed >= settings.SESSION_REFRESH_INTERVAL:
                request.session[SESSION_REFRESHED_KEY] = now
        response = self.get_response(request)
        remember_last_user(request, response, signed_in_before)
        return response


LAST_USER_COOKIE = "last_user"
LAST_USER_SALT = "config.middleware.last_user"


def last_user_id(request: HttpRequest) -> str | None:
    """Who was signed in last in this browser, if the session ended without a sign-out."""
    value: str | None = request.get_signed_cookie(
        LAST_USER_COOKIE, default=None, salt=LAST_USER_SALT
    )
    return value


def remember_last_user(
    request: HttpRequest, response: HttpResponseBase, signed_in_before: bool
) -> None:
    """Keep a signed note of the signed-in user, so a form kept after expiry finds its owner.

    The note outlives the session by a day and is removed by signing out.
    """
    user = request.user
    if user.is_authenticated:
        if last_user_id(request) != str(user.pk):
            response.set_signed_cookie(
                LAST_USER_COOKIE,
                str(user.pk),
                salt=LAST_USER_SALT,
                max_age=settings.SESSION_COOKIE_AGE + 24 * 60 * 60,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
    elif signed_in_before or (
        request.method == "POST" and LAST_USER_COOKIE in request.COOKIES and _is_sign_out(request)
    ):
        response.delete_cookie(LAST_USER_COOKIE, samesite="Lax")


def _is_sign_out(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is not None and match.view_name in {"logout", "admin:logout"}


@receiver(user_logged_in)
def mark_session_fresh(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """Signing in starts a fresh session: the next refresh is due after the interval."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_REFRESHED_KEY] = int(time.time())


def client_ip_address(request: HttpRequest) -> str | None:
    """The address a sign-in came from, which django-axes locks together with the user name.

    Behind ``TRUSTED_PROXY_COUNT`` proxies that each append the address they saw to
    ``X-Forwarded-For``, the client is that many entries from the right; entries further
    left were written by the client and may be forged. Without proxies (or a header too
    short to hold them) it is the connection's own address.
    """
    count: int = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            address.strip()
            for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if address.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    address: str | None = request.META.get("REMOTE_ADDR")
    return address
