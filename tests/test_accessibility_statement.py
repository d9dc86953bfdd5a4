"""The accessibility statement: open to everyone, linked from every page's footer."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_statement_is_read_without_signing_in(loaded_data: Any):
    response = Client().get(reverse("accessibility"))

    assert response.status_code == 200
    text = text_of(response)
    assert "<h1>Tillgänglighetsredogörelse</h1>" in text
    assert "lagen (2018:1937) om tillgänglighet till digital offentlig service" in text
    assert "Myndigheten för digital förvaltning (DIGG)" in text


def test_the_statement_says_how_it_was_tested_and_what_does_not_work(loaded_data: Any):
    text = text_of(Client().get(reverse("accessibility")))

    for heading in (
        "Hur tillgänglig är tjänsten?",
        "Innehåll som inte är tillgängligt",
        "Så har vi testat tjänsten",
        "Rapportera brister",
        "Tillsyn",
    ):
        assert f">{heading}</h2>" in text
    assert "axe-core" in text
    assert "320 pixlars bredd" in text
    assert "PDF/UA-1" in text


def test_the_contact_address_is_a_setting(loaded_data: Any, settings: Any):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "tillganglighet@example.org"

    html = Client().get(reverse("accessibility")).content.decode()

    assert 'href="mailto:tillganglighet@example.org"' in html


def test_every_page_links_the_statement_from_its_footer(cast: Cast):
    statement = reverse("accessibility")
    client = Client()
    footer_of = lambda html: html[html.index('<footer class="site-footer">') :]  # noqa: E731
    assert f'href="{statement}"' in footer_of(client.get(reverse("login")).content.decode())
    assert f'href="{statement}"' in footer_of(client.get(statement).content.decode())
    client.force_login(cast.admin_a)
    for url in (reverse("start"), reverse("programme:list"), reverse("programme:account")):
        assert f'href="{statement}"' in footer_of(client.get(url).content.decode())


def test_the_statement_takes_no_post(loaded_data: Any):
    assert Client().post(reverse("accessibility")).status_code == 405
