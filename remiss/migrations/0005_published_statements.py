"""What a publication of a compilation keeps: every statement with its disposition.

Plus, on PostgreSQL only, the GIN index the search uses on the kept statements' text.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

# The published statements' text is searched as the statements' is (remiss/queries/search.py,
# migration 0004_search_indexes): the same expression, indexed on PostgreSQL only.
CREATE = (
    "CREATE INDEX IF NOT EXISTS remiss_publishedstatement_search ON remiss_publishedstatement "
    "USING gin ((setweight(to_tsvector('swedish'::regconfig, COALESCE(\"text\", '')), 'A')))"
)
DROP = "DROP INDEX IF EXISTS remiss_publishedstatement_search"


def _run(statement: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0006_access_log_report_downloads"),
        ("remiss", "0004_search_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublishedStatement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(verbose_name="position")),
                (
                    "stance",
                    models.CharField(
                        choices=[
                            ("supports", "supports"),
                            ("supports_with_remarks", "supports with remarks"),
                            ("asks_for_clarification", "asks for clarification"),
                            ("proposes_change", "proposes a change"),
                            ("objects", "objects"),
                        ],
                        max_length=32,
                        verbose_name="stance",
                    ),
                ),
                ("text", models.TextField(verbose_name="text")),
                (
                    "statement_level",
                    models.CharField(
                        choices=[
                            ("open", "open"),
                            ("internal", "internal"),
                            ("confidential", "confidential"),
                        ],
                        default="confidential",
                        help_text="Open records may appear in general reports. Internal records are for the body's members and SLK. Confidential records are for the body's administrators and SLK reviewers only.",
                        max_length=16,
                        verbose_name="level of the statement when published",
                    ),
                ),
                (
                    "response_level",
                    models.CharField(
                        choices=[
                            ("open", "open"),
                            ("internal", "internal"),
                            ("confidential", "confidential"),
                        ],
                        default="confidential",
                        help_text="Open records may appear in general reports. Internal records are for the body's members and SLK. Confidential records are for the body's administrators and SLK reviewers only.",
                        max_length=16,
                        verbose_name="level of the response when published",
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("accepted", "accepted"),
                            ("partly_accepted", "partly accepted"),
                            ("not_accepted", "not accepted"),
                            ("noted", "noted"),
                        ],
                        max_length=20,
                        verbose_name="disposition",
                    ),
                ),
                ("reason", models.TextField(blank=True, verbose_name="reason")),
                (
                    "body",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="programme.body",
                        verbose_name="body",
                    ),
                ),
                (
                    "publication",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="published_statements",
                        to="remiss.compilationpublication",
                        verbose_name="publication of a compilation",
                    ),
                ),
                (
                    "section",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="remiss.referralsection",
                        verbose_name="section of the draft",
                    ),
                ),
                (
                    "statement",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="publications",
                        to="remiss.statement",
                        verbose_name="statement",
                    ),
                ),
            ],
            options={
                "verbose_name": "published statement",
                "verbose_name_plural": "published statements",
                "ordering": ["publication", "body", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("publication", "body", "position"),
                        name="published_statement_unique_position",
                    )
                ],
            },
        ),
        migrations.RunPython(_run(CREATE), _run(DROP)),
    ]
