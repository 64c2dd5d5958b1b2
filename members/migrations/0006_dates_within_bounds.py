"""Dates outside 1900–2100, stored before the forms refused them, moved onto the bounds with a history
entry saying what they were (core/date_repair.py)."""

from django.db import migrations

from core.date_repair import repair_dates

FIELDS = {
    "Member": ["birth_date", "joined_on", "full_on", "probation_extended_until", "left_on"],
    "Membership": ["start", "end"],
    "Transfer": ["transferred_on"],
}


def repair(apps, schema_editor):
    repair_dates(apps, schema_editor, "members", FIELDS)


class Migration(migrations.Migration):
    dependencies = [("members", "0005_member_email")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
