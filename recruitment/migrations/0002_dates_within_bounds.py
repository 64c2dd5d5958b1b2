"""Dates outside 1900–2100, stored before the forms refused them, moved onto the bounds with a history
entry saying what they were (core/date_repair.py)."""

from django.db import migrations

from core.date_repair import repair_dates

FIELDS = {
    "Recruit": ["birth_date", "next_due", "waiting_since"],
    "RecruitStep": ["done_on", "notice_start", "notice_end"],
}


def repair(apps, schema_editor):
    repair_dates(apps, schema_editor, "recruitment", FIELDS)


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0001_initial")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
