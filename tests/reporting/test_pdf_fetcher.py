"""The PDF renderer's URL fetcher and environment fingerprint.

The fetcher's tests render hostile documents and watch the process's audit events and a
local HTTP server, so that "nothing was read, nothing was contacted" is observed rather
than assumed.
"""

from __future__ import annotations

import base64
import http.server
import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from reporting.pdf import RefusedURLError, environment_fingerprint, render_pdf, url_fetcher
from tests.reporting.pdf_support import META, STATIC_CSS, page_text, static_site

# --- The fetcher ------------------------------------------------------------------------------

SECRET = "body::after { content: 'HEMLIGT-4711'; }"
SERVED = "body::after { content: 'FRÅN-SERVERN'; }"


@dataclass
class AuditLog:
    """The audit events that read files or reach the network, recorded while active."""

    events: list[tuple[str, str]] = field(default_factory=list)
    active: bool = False
    installed: bool = False

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if self.active and event in ("open", "socket.connect", "urllib.Request"):
            self.events.append((event, str(args[0] if event == "open" else args)))


AUDIT = AuditLog()


@pytest.fixture
def audit() -> Iterator[AuditLog]:
    # An audit hook cannot be removed: one is added for the whole process, and records
    # only while a test holds this fixture.
    if not AUDIT.installed:
        sys.addaudithook(AUDIT.hook)
        AUDIT.installed = True
    AUDIT.events.clear()
    AUDIT.active = True
    yield AUDIT
    AUDIT.active = False


@dataclass
class Server:
    """A local HTTP server that records every request it receives."""

    port: int
    hits: list[str]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    hits: list[str] = []
    secret_uri = (tmp_path / "secret.css").as_uri()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            if self.path.startswith("/omdirigera"):
                self.send_response(302)
                self.send_header("Location", secret_uri)
                self.end_headers()
                return
            body = SERVED.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield Server(httpd.server_address[1], hits)
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def site(settings: Any, tmp_path: Path) -> Path:
    """A project folder with static/reporting/prov.css, a secret beside it and one above."""
    base = static_site(tmp_path)
    settings.BASE_DIR = base
    (base / "secret.css").write_text(SECRET)
    (base / "static" / "hemlig.css").write_text(SECRET)
    (base / "static" / "reporting" / "länk.css").symlink_to(base / "secret.css")
    return base


def test_the_fetcher_serves_the_reporting_static_files(site: Path):
    response = url_fetcher("https://reporting.invalid/static/reporting/prov.css")

    assert response.read() == STATIC_CSS.encode()
    assert response.content_type == "text/css"


def test_the_fetcher_serves_data_urls():
    encoded = url_fetcher("data:text/css;base64," + base64.b64encode(b"p{}").decode())
    plain = url_fetcher("data:text/plain;charset=utf-8,%C3%A5%C3%A4%C3%B6")

    assert (encoded.read(), encoded.content_type) == (b"p{}", "text/css")
    assert plain.read().decode() == "åäö"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:{port}/stil.css",
        "https://localhost:{port}/stil.css",
        "http://127.0.0.1:{port}/omdirigera",
        "ftp://127.0.0.1:{port}/stil.css",
        "http://reporting.invalid/static/reporting/prov.css",
        "https://reporting.invalid:{port}/static/reporting/prov.css",
        "https://user@reporting.invalid/static/reporting/prov.css",
        "https://reporting.invalid.example/static/reporting/prov.css",
        "https://reporting.invalid/static/css/site.css",
        "https://reporting.invalid/static/hemlig.css",
        "https://reporting.invalid/static/reporting/../hemlig.css",
        "https://reporting.invalid/static/reporting/%2e%2e/hemlig.css",
        "https://reporting.invalid/static/reporting/..%2F..%2Fsecret.css",
        "https://reporting.invalid/static/reporting/länk.css",
        "https://reporting.invalid/static/reporting/",
        "https://reporting.invalid/static/reporting/saknas.css",
        "data:text/css;base64",
    ],
)
def test_the_fetcher_refuses_everything_else_without_reading_it(
    url: str, site: Path, server: Server, audit: AuditLog
):
    with pytest.raises(RefusedURLError):
        url_fetcher(url.format(port=server.port))

    assert server.hits == []
    assert not [event for event in audit.events if event[0] != "open"]
    assert not [path for _, path in audit.events if "secret" in path or "hemlig" in path]


def test_a_hostile_document_renders_without_reading_or_contacting_anything(
    site: Path, server: Server, audit: AuditLog
):
    secret = (site / "secret.css").as_uri()
    remote = f"http://127.0.0.1:{server.port}"
    svg = base64.b64encode(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">'
        f'<image href="{secret}" width="10" height="10"/>'
        f'<image href="{remote}/bild.png" width="10" height="10"/></svg>'.encode()
    ).decode()
    html = f"""<html lang="sv"><head>
<link rel="stylesheet" href="{remote}/stil.css">
<link rel="stylesheet" href="https://localhost:{server.port}/stil.css">
<link rel="stylesheet" href="{remote}/omdirigera">
<link rel="stylesheet" href="{secret}">
<link rel="stylesheet" href="/static/reporting/%2e%2e/hemlig.css">
<link rel="stylesheet" href="/static/reporting/../hemlig.css">
<link rel="stylesheet" href="/static/reporting/länk.css">
<style>@import url("{secret}"); @import url("{remote}/import.css");
@font-face {{ font-family: Fjärr; src: url("{remote}/typsnitt.ttf"); }}
body {{ background: url("{remote}/bakgrund.png"); }}</style></head>
<body><p>Rapporten renderades.</p>
<img src="{secret}" alt="fil"><img src="{remote}/omdirigera" alt="omdirigering">
<img src="data:image/svg+xml;base64,{svg}" alt="bild med externa länkar"></body></html>"""

    rendered = render_pdf(html, META)

    assert server.hits == []
    assert not [event for event in audit.events if event[0] != "open"]
    assert not [path for _, path in audit.events if "secret" in path or "hemlig" in path]
    path = site / "hostile.pdf"
    path.write_bytes(rendered.data)
    text = page_text(path)
    assert "Rapporten renderades." in text
    assert "HEMLIGT" not in text
    assert "SERVERN" not in text


def test_the_fingerprint_is_stable_and_follows_the_static_files(site: Path):
    first = environment_fingerprint()

    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert environment_fingerprint() == first
    (site / "static" / "reporting" / "prov.css").write_text(STATIC_CSS + "h1 { color: red }")
    changed = environment_fingerprint()
    assert changed != first
    (site / "static" / "reporting" / "bild.svg").write_text("<svg/>")
    assert environment_fingerprint() not in (first, changed)


def test_the_fingerprint_follows_the_font_files(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    font = fonts / "DejaVuSans.ttf"
    font.write_bytes(b"first")
    monkeypatch.setattr("reporting.pdf.FONT_DIR", fonts)
    first = environment_fingerprint()

    font.write_bytes(b"second")

    assert environment_fingerprint() != first
