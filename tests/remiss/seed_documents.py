"""The seeds as the files people upload: a Word file and a PDF made from each seed's text.

The Word file has one paragraph per line of the seed, as a PDF turned into Word has;
the PDF prints every line as it stands, leaves a gap where the seed leaves an empty
line, starts a new page at each page marker and numbers its pages in a running footer.
Both are made from the seed's lines as the importer sees them (single-spaced).
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from remiss.document_text import is_page_marker
from remiss.reading.layout import single_spaced, text_of

SEEDS = Path(settings.BASE_DIR) / "fixtures" / "remiss"


def seed_lines(name: str) -> list[str]:
    """A seed's lines as written."""
    return (SEEDS / name).read_text(encoding="utf-8").splitlines()


def word_file(lines: Sequence[str]) -> bytes:
    """A .docx with one paragraph per line; Markdown headings become Word headings."""
    import docx

    document = docx.Document()
    for line in single_spaced(lines):
        stripped = line.strip()
        if stripped.startswith("#"):
            level = min(len(stripped) - len(stripped.lstrip("#")), 3)
            document.add_heading(text_of(line), level=level)
        elif stripped.startswith("**") and stripped.endswith("**"):
            document.add_paragraph().add_run(text_of(line)).bold = True
        else:
            document.add_paragraph(line.replace("**", ""))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@lru_cache(maxsize=8)
def pdf_file(lines: tuple[str, ...]) -> bytes:
    """An A4 PDF printing the lines, a page break at each page marker, numbered pages."""
    from weasyprint import HTML

    parts: list[str] = []
    for line in single_spaced(lines):
        text = text_of(line)
        if is_page_marker(text):
            parts.append('<div class="page"></div>')
        elif not text:
            parts.append('<div class="gap"></div>')
        else:
            parts.append(f"<p>{html.escape(text)}</p>")
    document = f"""<!doctype html><html lang="sv"><head><meta charset="utf-8"><style>
        @page {{ size: A4; margin: 20mm 18mm; @bottom-center {{ content: counter(page); }} }}
        body {{ font: 10pt/1.35 "DejaVu Sans", sans-serif; }}
        p {{ margin: 0; }}
        .gap {{ height: 1.35em; }}
        .page {{ break-before: page; }}
    </style></head><body>{"".join(parts)}</body></html>"""
    return bytes(HTML(string=document).write_pdf())
