"""What a report's HTML may fetch while it is rendered: ``data:`` URLs and reporting files.

:mod:`reporting.pdf` parses every report with the base URL ``BASE_URL`` and wraps
:func:`fetch` in the response object WeasyPrint expects (this module does not import
WeasyPrint). ``{% static 'reporting/x.css' %}`` or :func:`asset_url` gives an address
under ``https://reporting.invalid/static/reporting/`` (``.invalid`` never resolves,
RFC 2606), which is served from the files under ``static/reporting/`` of this project.

What the caller provides
    A URL, as WeasyPrint resolved it against ``BASE_URL``.

What this module guarantees
    :func:`fetch` returns the content type and the bytes of a ``data:`` URL or of a file
    under ``static/reporting/``, and raises :class:`RefusedURLError` before anything is
    read for anything else: ``file:``, ``http:`` and ``https:`` to any other host
    (localhost included), other static folders, ``..`` out of ``static/reporting/`` and a
    symbolic link leading out of it. No request is ever made, so no redirect is followed.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from django.conf import settings

BASE_URL = "https://reporting.invalid/"


class RefusedURLError(ValueError):
    """The document asked for a resource this module does not serve."""


def fetch(url: str) -> tuple[str, bytes]:
    """The content type and the body of ``url``; :class:`RefusedURLError` if not served."""
    if url[:5].lower() == "data:":
        return _decode_data_url(url)
    path = _static_path(url)
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return content_type, path.read_bytes()


def _decode_data_url(url: str) -> tuple[str, bytes]:
    header, comma, payload = url[5:].partition(",")
    if not comma:
        raise RefusedURLError("a data: URL without a comma")
    parameters = header.split(";")
    encoded = parameters[-1].strip().lower() == "base64"
    if encoded:
        parameters.pop()
    content_type = ";".join(parameters) or "text/plain;charset=US-ASCII"
    raw = unquote_to_bytes(payload)
    if not encoded:
        return content_type, raw
    try:
        return content_type, base64.b64decode(raw)
    except binascii.Error as error:
        raise RefusedURLError(f"a data: URL with broken base64: {error}") from None


def _static_path(url: str) -> Path:
    parts = urlsplit(url)
    origin = urlsplit(BASE_URL)
    prefix = _static_prefix()
    if (
        parts.scheme.lower() != origin.scheme
        or parts.netloc.lower() != origin.netloc
        or not parts.path.startswith(prefix)
    ):
        raise RefusedURLError(f"not a reporting static file: {url[:200]}")
    relative = unquote(parts.path[len(prefix) :])
    root = static_root().resolve()
    path = (root / relative).resolve()
    if "\x00" in relative or not path.is_relative_to(root) or not path.is_file():
        raise RefusedURLError(f"no such reporting static file: {url[:200]}")
    return path


def asset_url(name: str) -> str:
    """The address a report template gives the file ``name`` of ``static/reporting/``.

    Not ``{% static %}``: a production static storage (whitenoise's manifest) hashes file
    names, and the fetcher serves the files as they are in the project.
    """
    return f"{BASE_URL.rstrip('/')}{_static_prefix()}{name}"


def _static_prefix() -> str:
    """The URL path ``{% static 'reporting/...' %}`` produces, e.g. ``/static/reporting/``."""
    static_path = urlsplit(str(settings.STATIC_URL)).path.strip("/")
    return f"/{static_path}/reporting/"


def static_root() -> Path:
    """The folder whose files the fetcher serves."""
    return Path(settings.BASE_DIR) / "static" / "reporting"
