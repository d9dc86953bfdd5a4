"""The referral outputs of the seed history: every loaded round's compilation and replies.

The rounds loaded from the five seed responses (fixtures/remiss/) are real documents,
with long texts, Swedish letters and many statements per section. Each round's full
compilation and the reply to each of its responses are rendered as the worker renders
them and read back: every statement's opening words and SLK's disposition are printed,
every page is numbered, and the ``pdfua`` and ``outloud`` checkers find no error. One
round is handled and published, and its general compilation and a reply read from the
publication.
"""

from __future__ import annotations

import re
from pathlib import Path

import outloud
import pdfua
import pikepdf
import pytest

from programme.models import Audience, Confidentiality, stricter
from remiss.models import (
    Disposition,
    DispositionOutcome,
    Referral,
    ReferralOrigin,
    Response,
    Statement,
)
from remiss.services.compilation import publish_compilation
from reporting.models import RunState
from reporting.services import referral, reports
from reporting.storage import report_storage
from tests.conftest import Cast
from tests.remiss.conftest import referral_history  # noqa: F401 (the seed rounds, loaded)
from tests.reporting.pdf_support import (
    element_text,
    mcid_texts,
    page_text,
    structure_elements,
    words_past_the_margin,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("referral_history")]


def _no_queue(_: int) -> None:
    """The tests render the run themselves."""


def _ends(text: str, count: int = 3) -> list[str]:
    """The first and the last ``count`` words of ``text`` without markup.

    A long statement's cell breaks across pages (a cell of its own on each), so its
    opening and closing words are each looked for in one cell: the text is printed from
    its start to its end, not cut.
    """
    words = re.sub(r"<[^>]+>", " ", text).split()
    return [" ".join(words[:count]), " ".join(words[-count:])]


def _flat(text: str) -> str:
    """Text with line-end hyphenation undone and spaces collapsed, for comparison."""
    return " ".join(re.sub(r"(\w)- (\w)", r"\1\2", text).split())


def _squeezed(text: str) -> str:
    """Text without spaces and hyphens: lines of a cell are drawn apart, words hyphenated."""
    return re.sub(r"[\s\-\u00ad]+", "", text)


def _cell_texts(path: Path) -> list[str]:
    """The text of every table cell and paragraph, read through the structure tree."""
    with pikepdf.open(path) as pdf:
        texts = {page.obj.objgen: mcid_texts(page) for page in pdf.pages}
        return [
            _squeezed(element_text(element, texts))
            for element in structure_elements(pdf)
            if str(element.S) in ("/TD", "/P", "/LBody")
        ]


def _printed(words: str, cells: list[str]) -> bool:
    """Whether one cell or paragraph holds ``words``."""
    wanted = _squeezed(words)
    return any(wanted in cell for cell in cells)


def _render(run_id: int, path: Path) -> list[str]:
    run = reports.render_run(run_id)
    assert run is not None and run.state == RunState.DONE, run and run.error
    path.write_bytes(report_storage().open(run.file_name).read())
    assert run.pages is not None
    texts = [page_text(path, page) for page in range(1, run.pages + 1)]
    for number, text in enumerate(texts, start=1):
        assert f"sida {number} av {run.pages}" in text, (path.name, number)
    # The statements' tables keep within the margins (their set widths hold the padding).
    assert words_past_the_margin(path) == [], path.name
    ua = pdfua.validate(str(path))
    assert [f"{f.rule_id}: {f.message}" for f in ua.findings] == [], path.name
    result = outloud.check(str(path))
    errors = [f for f in result.findings if str(getattr(f, "severity", "error")) == "error"]
    assert result.error is None and errors == [], (path.name, result.findings)
    return texts


def _history() -> list[Referral]:
    return list(Referral.objects.filter(origin=ReferralOrigin.HISTORY).order_by("pk"))


def test_every_seed_round_prints_its_statements_in_its_compilation_and_replies(
    cast: Cast, report_files: Path, tmp_path: Path
):
    rounds = _history()
    assert len(rounds) == 3
    for round_ in rounds:
        asked = referral.request_compilation_pdf(cast.slk, round_, Audience.FULL, _no_queue)
        path = tmp_path / f"round-{round_.pk}.pdf"
        text = _flat(" ".join(_render(asked.run.pk, path)))
        cells = _cell_texts(path)
        assert _flat(round_.title) in text
        statements = list(Statement.objects.filter(response__referral=round_))
        assert statements, round_.title
        for statement in statements:
            for words in _ends(statement.text):
                assert _printed(words, cells), (round_.title, words)
        for response in Response.objects.filter(referral=round_).select_related("body"):
            reply = referral.request_reply(cast.slk, response, _no_queue)
            path = tmp_path / f"reply-{response.pk}.pdf"
            pages = _render(reply.run.pk, path)
            reply_cells = _cell_texts(path)
            assert "Så har era synpunkter hanterats" in pages[0]
            assert response.body.name in " ".join(pages)
            for statement in response.statements.all():
                for words in _ends(statement.text):
                    assert _printed(words, reply_cells), words


def test_a_published_seed_round_prints_the_publication_to_its_readers(
    cast: Cast, report_files: Path, tmp_path: Path
):
    round_ = _history()[-1]
    statements = list(
        Statement.objects.filter(response__referral=round_).select_related("response")
    )
    Disposition.objects.bulk_create(
        Disposition(
            statement=statement,
            outcome=DispositionOutcome.PARTLY_ACCEPTED,
            reason=f"Beaktas delvis i den reviderade versionen ({number}).",
        )
        for number, statement in enumerate(statements, start=1)
    )
    publish_compilation(cast.slk, round_.pk)

    general = referral.request_compilation_pdf(cast.official, round_, Audience.GENERAL, _no_queue)
    text = _flat(" ".join(_render(general.run.pk, tmp_path / "general.pdf")))

    assert "delvis tillgodosedd" in text.lower()
    assert any(statement.confidentiality == "open" for statement in statements)
    for number, statement in enumerate(statements, start=1):
        level = stricter(statement.confidentiality, statement.response.confidentiality)
        shown = f"({number})." in text
        assert shown == (level == Confidentiality.OPEN), statement.text[:80]
