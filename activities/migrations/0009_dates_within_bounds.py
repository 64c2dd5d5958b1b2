"""Dates outside 1900–2100, stored before the forms refused them, moved onto the bounds.

A meeting dated 0001-01-01 could not be shown, changed or deleted: every page of it answered 500.
Its date is moved onto the bound (core/date_repair.py) and the record goes back to its branch as
退回 with a comment saying what the date was, so it is listed among the records to fix and its
editor can correct it; its history says the same.
"""

from django.db import migrations
from django.utils import timezone

from core.date_repair import clamp_out_of_bounds, reason_for, record_in_history

FIELDS = {
    "Meeting": ["held_at", "held_on"],
    "Talk": ["talked_on"],
    "PledgeNote": ["noted_on"],
    "StudyNote": ["month"],
}
COMMENT = "系统检查：{}的年份不合理（应在1900至2100年之间），已暂改为边界日期。请改为实际日期后重新提交。"


def repair(apps, schema_editor):
    changed = clamp_out_of_bounds(apps, schema_editor, "activities", FIELDS)
    Meeting = apps.get_model("activities", "Meeting")
    for pk, notes in changed.get("Meeting", {}).items():
        Meeting.objects.filter(pk=pk).update(
            status="returned", return_comment=COMMENT.format("、".join(notes)), returned_at=timezone.now()
        )
    for model_name, notes in changed.items():
        record_in_history(apps, "activities", model_name, notes)


class Migration(migrations.Migration):
    dependencies = [("activities", "0008_archivejob_heartbeat")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
