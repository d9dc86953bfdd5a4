"""Clean the rich text of every row written before the column cleaned on save.

From here on ``programme.rich_text.RichTextField`` cleans a value whenever it is written,
and pages show a stored value without cleaning it again: so no stored value may be
unclean, the history's copies included.
"""

from django.db import migrations

# The rich-text columns of this app: model name → fields (its history table has the same).
RICH_TEXT_COLUMNS = {
    "Goal": ("description",),
    "Activity": ("description",),
    "CouncilGoal": ("description",),
    "FollowUp": ("narrative", "situation_picture", "council_goal_motivation", "review_comment"),
    "ActivityReport": ("comment", "description"),
    "IndicatorOutcome": ("comment",),
    "GoalJudgement": ("motivation", "slk_motivation", "description"),
}


def clean_existing_rich_text(apps, schema_editor):
    from programme.rich_text import clean_stored_rich_text

    clean_stored_rich_text(apps, "programme", RICH_TEXT_COLUMNS)


class Migration(migrations.Migration):
    dependencies = [("programme", "0007_notifications")]

    operations = [
        migrations.RunPython(clean_existing_rich_text, migrations.RunPython.noop, elidable=True)
    ]
