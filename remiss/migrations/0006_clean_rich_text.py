"""Clean the rich text of every response and statement written before the column cleaned
on save (``programme.rich_text.RichTextField``), the history's copies included."""

from django.db import migrations

# The rich-text columns of this app: model name → fields (its history table has the same).
RICH_TEXT_COLUMNS = {
    "Response": (
        "reopen_reason",
        "proposal",
        "summary",
        "background",
        "matter",
        "preparation",
        "views",
        "equality_analysis",
        "attachments",
        "decision_text",
    ),
    "Statement": ("text",),
}


def clean_existing_rich_text(apps, schema_editor):
    from programme.rich_text import clean_stored_rich_text

    clean_stored_rich_text(apps, "remiss", RICH_TEXT_COLUMNS)


class Migration(migrations.Migration):
    dependencies = [("remiss", "0005_published_statements")]

    operations = [
        migrations.RunPython(clean_existing_rich_text, migrations.RunPython.noop, elidable=True)
    ]
