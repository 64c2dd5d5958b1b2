"""Dates outside 1900–2100, stored before the forms refused them, moved onto the bounds with a history
entry saying what they were (core/date_repair.py). A holiday of such a year is no holiday of any 公示
period (and two could not share a bound, a day being entered once): it is deleted."""

from django.db import migrations

from core.date_repair import bounds_of, repair_dates

FIELDS = {
    "Interview": ["held_on"],
    "Problem": ["found_on", "deadline", "closed_on"],
}


def repair(apps, schema_editor):
    Holiday = apps.get_model("assessment", "Holiday")
    low, high = bounds_of(Holiday._meta.get_field("day"))
    Holiday.objects.exclude(day__range=(low, high)).delete()
    repair_dates(apps, schema_editor, "assessment", FIELDS)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0007_job_heartbeat")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
