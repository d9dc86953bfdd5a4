"""Middleware of the site as a whole."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
