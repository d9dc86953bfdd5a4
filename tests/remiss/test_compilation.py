"""The compilation pages, publishing, what each reader sees, and the Excel files read back."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from remiss.models import CompilationPublication, Disposition, Referral, ResponseState, Stance
from remiss.queries.publication import dispositions_for
from remiss.services.compilation import PublishRefused, publish_compilation
from remiss.services.referral_history import HistoryResult
from tests.access.matrix_rows_remiss_compilation import Round, dispose_all, make_round
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(cast: Cast) -> Round:
    return make_round(cast)


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.by_name(persona))
    return client


def _section_url(made: Round, query: str = "") -> str:
    url = reverse(
        "remiss:compilation-section",
        kwargs={"pk": made.referral.pk, "section_pk": made.section.pk},
    )
    return f"{url}?{query}" if query else url


def test_slk_sees_the_sections_with_their_counts(cast: Cast, made: Round):
    response = _client(cast, "slk").get(
        reverse("remiss:compilation", kwargs={"pk": made.referral.pk})
    )

    index = response.context["index"]
    assert [(s.section, s.total, s.disposed) for s in index.sections] == [
        (made.section, 3, 1),
        (made.other_section, 1, 0),
    ]
    assert "Genomförande och uppföljning" in response.content.decode()


def test_the_section_page_sets_every_statement_side_by_side(cast: Cast, made: Round):
    response = _client(cast, "slk").get(_section_url(made))

    page = response.context["page"]
    assert [row.pk for row in page.rows] == [made.open_a.pk, made.internal_a.pk, made.open_b.pk]
    assert dict(page.stances)[Stance.OBJECTS] == 1
    content = response.content.decode()
    assert "Skärholmen invänder." in content
    assert "Texten behålls." in content  # the disposition, in its inline form


def test_the_section_page_filters_by_stance_and_body_kind(cast: Cast, made: Round):
    client = _client(cast, "slk")

    by_stance = client.get(_section_url(made, "stance=objects")).context["page"]
    companies = client.get(_section_url(made, "group=companies")).context["page"]
    unknown = client.get(_section_url(made, "stance=shouts")).context["page"]

    assert [row.pk for row in by_stance.rows] == [made.open_b.pk]
    assert companies.rows == []
    assert len(unknown.rows) == 3


def test_a_section_of_another_round_answers_404(cast: Cast, made: Round):
    other = make_round(cast, number="KS 2099/2")
    url = reverse(
        "remiss:compilation-section",
        kwargs={"pk": made.referral.pk, "section_pk": other.section.pk},
    )
    assert _client(cast, "slk").get(url).status_code == 404


def test_publishing_is_refused_while_a_statement_has_no_disposition(cast: Cast, made: Round):
    with translation.override("en"), pytest.raises(PublishRefused, match="3 statements have"):
        publish_compilation(cast.slk, made.referral.pk)
    assert not CompilationPublication.objects.exists()


def test_a_later_publication_supersedes_the_earlier_which_is_kept(cast: Cast, made: Round):
    dispose_all(cast, made)
    first = publish_compilation(cast.slk, made.referral.pk, "Första.")
    second = publish_compilation(cast.slk, made.referral.pk)

    first.refresh_from_db()
    assert first.superseded_by == second
    assert first.superseded_at is not None
    assert second.superseded_at is None
    assert second.statements == 4


def test_the_publish_button_tells_a_refusal(cast: Cast, made: Round):
    url = reverse("remiss:compilation-publish", kwargs={"pk": made.referral.pk})
    response = _client(cast, "slk").post(url, follow=True)
    told = [message for message in response.context["messages"] if message.level_tag == "error"]
    assert len(told) == 1
    assert str(told[0]) in response.content.decode()


def test_the_body_sees_its_dispositions_only_once_published(cast: Cast, made: Round):
    before = dispositions_for(made.response_a, cast.admin_a)
    dispose_all(cast, made)
    publish_compilation(cast.slk, made.referral.pk)

    admin = dispositions_for(made.response_a, cast.admin_a)
    reader = dispositions_for(made.response_a, cast.reader_a)

    assert (before.published, before.rows) == (False, [])
    # The statements as the publication keeps them.
    assert [row.statement.statement_id for row in admin.rows] == [  # type: ignore[union-attr]
        made.open_a.pk,
        made.internal_a.pk,
        made.confidential_a.pk,
    ]
    disposition = admin.rows[0].disposition
    assert disposition is not None and disposition.reason == "Texten behålls."
    # A reader of the body sees no confidential statement, nor how it was handled.
    assert made.confidential_a.text not in [row.statement.text for row in reader.rows]
    assert len(reader.rows) == 2


def test_the_dispositions_include_renders_the_rows(cast: Cast, made: Round):
    from django.template.loader import render_to_string

    dispose_all(cast, made)
    publish_compilation(cast.slk, made.referral.pk)
    html = render_to_string(
        "remiss/compilation/_dispositions.html",
        {"dispositions": dispositions_for(made.response_a, cast.admin_a)},
    )
    assert "Texten behålls." in html
    assert "Järva stöder fokusområdet." in html


def test_the_published_compilation_shows_only_open_parts(cast: Cast, made: Round):
    dispose_all(cast, made)
    publish_compilation(cast.slk, made.referral.pk)
    url = reverse("remiss:compilation-published", kwargs={"pk": made.referral.pk})

    for persona in ("official", "admin_b", "reader_a"):
        content = _client(cast, persona).get(url).content.decode()
        assert "Järva stöder fokusområdet." in content
        assert "Skärholmen invänder." in content
        assert "Texten behålls." in content
        assert made.internal_a.text not in content
        assert made.confidential_a.text not in content


def test_statements_of_an_internal_response_stay_out_of_the_published_compilation(
    cast: Cast, made: Round
):
    made.response_b.confidentiality = "internal"
    made.response_b.save()
    dispose_all(cast, made)
    publish_compilation(cast.slk, made.referral.pk)
    url = reverse("remiss:compilation-published", kwargs={"pk": made.referral.pk})

    content = _client(cast, "official").get(url).content.decode()

    assert "Skärholmen invänder." not in content


def _sheet(content: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def test_slks_excel_file_holds_every_statement_with_its_disposition(cast: Cast, made: Round):
    response = _client(cast, "slk").get(
        reverse("remiss:compilation-export", kwargs={"pk": made.referral.pk})
    )

    rows = _sheet(response.content)
    # Section, body, kind of body, stance, statement, disposition, reason, level.
    assert len(rows[0]) == 8
    texts = [row[4] for row in rows[1:]]
    assert texts == [
        made.open_a.text,
        made.internal_a.text,
        made.open_b.text,
        made.confidential_a.text,
    ]
    first = rows[1]
    assert first[0] == made.section.heading
    assert first[1] == cast.body_a.name
    assert first[6] == "Texten behålls."
    assert len(first) == 8


def test_the_published_excel_file_holds_only_open_statements(cast: Cast, made: Round):
    dispose_all(cast, made)
    publish_compilation(cast.slk, made.referral.pk)
    response = _client(cast, "official").get(
        reverse("remiss:compilation-published-export", kwargs={"pk": made.referral.pk})
    )

    rows = _sheet(response.content)
    assert [row[4] for row in rows[1:]] == [made.open_a.text, made.open_b.text]
    assert len(rows[0]) == 7
    assert rows[2][5]  # the disposition of Skärholmen's statement, in words


def test_the_historical_rounds_compile_their_seed_statements(
    cast: Cast, referral_history: HistoryResult
):
    client = _client(cast, "slk")
    for referral in Referral.objects.filter(responses__state=ResponseState.SUBMITTED).distinct():
        index = client.get(reverse("remiss:compilation", kwargs={"pk": referral.pk})).context[
            "index"
        ]
        assert (
            index.total == referral.responses.values("statements").exclude(statements=None).count()
        )
        for summary in index.sections:
            url = reverse(
                "remiss:compilation-section",
                kwargs={"pk": referral.pk, "section_pk": summary.section.pk},
            )
            assert len(client.get(url).context["page"].rows) == summary.total
    assert Disposition.objects.count() == 0


def test_the_response_page_shows_how_each_statement_was_handled_once_published(
    cast: Cast, made: Round
):
    url = reverse(
        "remiss:response-detail",
        kwargs={"referral": made.referral.pk, "slug": made.response_a.body.slug},
    )
    admin = _client(cast, "admin_a")
    with translation.override("sv"):
        page = admin.get(url).content.decode()
    assert "Texten behålls." not in page
    dispose_all(cast, made)
    publish_compilation(cast.slk, made.referral.pk)
    page = admin.get(url).content.decode()
    assert "Texten behålls." in page
