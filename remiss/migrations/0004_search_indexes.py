"""GIN indexes for the search across responses and statements (remiss/queries/search.py).

PostgreSQL only, and outside the models' state: each indexes the very expression the
search filters on (the weighted Swedish vector of a response's standard sections, and
the vector of a statement's text), so the planner can use it instead of computing every
row's vector per search (measured at about 2.5 ms per seed response, growing with every
round). SQLite has no full-text search here and gets nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# The search's weights (remiss.queries.search.SECTION_WEIGHTS), in RESPONSE_SECTIONS order:
# the expressions must be written exactly as the search's queries write them.
RESPONSE_WEIGHTS = (
    ("proposal", "B"),
    ("summary", "A"),
    ("background", "C"),
    ("matter", "B"),
    ("preparation", "C"),
    ("views", "A"),
    ("equality_analysis", "C"),
    ("attachments", "D"),
)


def _weighted(column: str, weight: str) -> str:
    return f"""setweight(to_tsvector('swedish'::regconfig, COALESCE("{column}", '')), '{weight}')"""


def _response_vector() -> str:
    vector = _weighted(*RESPONSE_WEIGHTS[0])
    for column, weight in RESPONSE_WEIGHTS[1:]:
        vector = f"({vector} || {_weighted(column, weight)})"
    return vector


CREATE = (
    f"CREATE INDEX IF NOT EXISTS remiss_response_search ON remiss_response "
    f"USING gin (({_response_vector()}))",
    f"CREATE INDEX IF NOT EXISTS remiss_statement_search ON remiss_statement "
    f"USING gin (({_weighted('text', 'A')}))",
)
DROP = (
    "DROP INDEX IF EXISTS remiss_response_search",
    "DROP INDEX IF EXISTS remiss_statement_search",
)


def _run(statements: tuple[str, ...]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("remiss", "0003_rounds_reminders"),
    ]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
