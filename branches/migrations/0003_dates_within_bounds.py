"""Dates outside 1900–2100, stored before the forms refused them, moved onto the bounds with a history
entry saying what they were (core/date_repair.py)."""

from django.db import migrations

from core.date_repair import repair_dates

FIELDS = {"OrgUnit": ["founded_on", "elected_on"]}


def repair(apps, schema_editor):
    repair_dates(apps, schema_editor, "branches", FIELDS)


class Migration(migrations.Migration):
    dependencies = [("branches", "0002_unitrole_history")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
