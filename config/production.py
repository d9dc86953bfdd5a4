"""Production settings: everything from ``config.settings``, hardened.

Refuses to start without ``SECRET_KEY`` and ``ALLOWED_HOSTS``, and with ``DEBUG`` on:
debug pages show code, settings and data to anyone whose request fails, so an exported
``DEBUG=1`` is refused rather than quietly ignored. The checks run before
``config.settings`` is read, so that the message names what production needs.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from config.environment import env_bool, env_list

if not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in the environment in production, to a long random value."
    )
if env_bool("DEBUG", False):
    raise ImproperlyConfigured(
        "DEBUG is on in the environment; config.production never runs with debug on. "
        "Unset DEBUG (or set DEBUG=0)."
    )
if not env_list("ALLOWED_HOSTS", []):
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in the environment in production.")

# With SECRET_KEY set and DEBUG off, config.settings refuses the development key itself.
from config.settings import *  # noqa: F403

# config.settings has read SECRET_KEY and ALLOWED_HOSTS, checked above, and DEBUG as off.
DEBUG = False

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is opt-in (SECURE_HSTS_PRELOAD=1): once the City's domain is on the browsers'
# preload list, every subdomain must serve HTTPS and taking the domain off again takes
# months, so it is a decision for the City's operations, not a default of this product.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Django's security.W021 warns whenever preloading is off. Off is the safe default here: a
# city-wide domain on the preload list cannot be taken off quickly, so preloading is the
# City's operations' decision, opted into with SECURE_HSTS_PRELOAD=1.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
