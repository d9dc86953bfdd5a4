"""Every page a persona can reach by following links answers, over the demo data.

The demo year (plans and follow-ups in every state, some with nobody named as their
submitter) and the demo duty records are loaded; then, for each persona, every link
reachable from the start page within the site is followed (GET only). No page may
fail with a server error, and no link may lead a persona to a page that refuses them:
a page should not offer what the reader may not open.
"""

from __future__ import annotations

import re
from collections import deque
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from programme.demo.plans import generate_demo_year
from tests.conftest import Cast

# Pages left out of the walk: signing out ends the session, the admin is tested on its
# own (tests/access/test_admin_access.py), and static files are not pages.
SKIP = ("/admin/", "/static/", "/logga-ut/")
# How many pages one persona's walk may visit; the demo has fewer.
LIMIT = 400
LINK = re.compile(r'<a\s[^>]*href="([^"#][^"]*)"')


def walk(client: Client) -> tuple[dict[str, int], int]:
    """Every page reachable from the start page: its status code, and how many were seen."""
    seen: dict[str, int] = {}
    queue = deque([reverse("start")])
    while queue and len(seen) < LIMIT:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        location = response.get("Location", "")
        if response.status_code == 302 and location.startswith("/"):
            # A page that sends on (the overview of the period due next) counts as open,
            # unless it sends the persona back to sign in.
            if not location.startswith(reverse("login")):
                seen[path] = 200
                queue.append(location)
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in LINK.findall(response.content.decode()):
            target = urldefrag(unescape(href))[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not target.startswith("/"):
                continue
            if target.startswith(SKIP) or target in seen:
                continue
            queue.append(target)
    return seen, len(seen)


@pytest.mark.parametrize("persona", ["admin_a", "reader_a", "admin_b", "slk", "official"])
def test_every_linked_page_answers_without_error_or_refusal(cast: Cast, persona: str):
    generate_demo_year()
    client = Client()
    client.force_login(cast.by_name(persona))

    seen, count = walk(client)

    failures = {path: status for path, status in seen.items() if status != 200}
    assert failures == {}, f"{persona}: links that do not open: {failures}"
    assert count > 5, f"{persona} reached only {count} pages"
