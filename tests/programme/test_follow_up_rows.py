"""The follow-up form's rows written in code (``{% follow_up_rows %}``): each row's
legend, help and fields as the form shows them, every text of the plan escaped."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from programme.models import Activity, Indicator, IndicatorDirection
from tests.access.matrix_support import PlanWorld
from tests.conftest import Cast
from tests.programme.test_follow_up_views import client_for, url, world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_each_row_shows_its_item_in_swedish_with_every_text_escaped(
    cast: Cast,
    world: PlanWorld,  # noqa: F811 (the fixture imported from test_follow_up_views)
) -> None:
    Activity.objects.filter(pk=world.activity_a.pk).update(
        title="Vandring <b>& samtal</b>", responsible_unit="Enhet <i>Syd</i>"
    )
    Indicator.objects.filter(pk=world.indicator_a.pk).update(
        name="Trygghet <script>",
        unit="% & andel",
        baseline="62.50",
        target=70,
        direction=IndicatorDirection.HIGHER_IS_BETTER,
        by_sex=True,
    )

    html = client_for(cast, "admin_a").get(url("follow-up-edit")).content.decode()

    assert f"<legend>{escape('Vandring <b>& samtal</b>')}</legend>" in html
    assert f'<p class="help">Ansvarig: {escape("Enhet <i>Syd</i>")}</p>' in html
    assert f"<legend>{escape('Trygghet <script>')} ({escape('% & andel')})</legend>" in html
    assert "<script>" not in html.split("</head>", 1)[1].replace("<script src=", "")
    assert "Utgångsvärde 62,5, målvärde 70; högre är bättre." in html
    assert "<h3>Aktiviteter</h3>" in html and "<h3>Indikatorer</h3>" in html
    # The indicator counted by sex has its three outcome boxes side by side.
    numbers = html.split('<div class="follow-up-numbers">', 1)[1].split("</div>\n</fieldset>", 1)[0]
    for name in ("value", "value_women", "value_men"):
        assert f'name="indicator-{world.indicator_a.pk}-{name}"' in numbers


def test_an_indicator_without_baseline_or_target_shows_a_dash(
    cast: Cast,
    world: PlanWorld,  # noqa: F811
) -> None:
    Indicator.objects.filter(pk=world.indicator_a.pk).update(baseline=None, target=None)

    html = client_for(cast, "admin_a").get(url("follow-up-edit")).content.decode()

    assert "Utgångsvärde –, målvärde –;" in html
