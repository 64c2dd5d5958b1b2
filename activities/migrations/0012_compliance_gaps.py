"""The compliance overview's stored gaps (activities/gaps.py) and, on PostgreSQL, the triggers that
record which branches' gaps a write may change.

Triggers rather than calls in the services: meetings, groups, members and their spans are written by
forms, imports (COPY), bulk updates and the admin, and a change missed anywhere would leave a stored
gap wrong; a trigger sees every write in the writing transaction. Statement-level with transition
tables, so an import of 200,000 meetings records one row per branch, not per meeting. The changes are
insert-only (writers never wait on each other). SQLite (the laptop demo) has none of this and ranks by
the rules.
"""

from django.db import migrations, models

# A meeting counts when submitted; a group's branch is the unit whose path is the group's without its
# last step (a path is depth × steplen long).
RECORD = "INSERT INTO activities_compliancechange (branch_id) SELECT DISTINCT branch_id FROM ({rows}) AS r WHERE branch_id IS NOT NULL ORDER BY 1"
MEETING_ROWS = "SELECT branch_id FROM {table} WHERE status = 'submitted'"
MEETING_CHANGED = """
    SELECT x.branch_id FROM old_rows o JOIN new_rows n ON n.id = o.id, LATERAL (VALUES (o.branch_id), (n.branch_id)) x (branch_id)
    WHERE (o.status = 'submitted' OR n.status = 'submitted')
      AND (o.status, o.held_on, o.kind, o.unit_id, o.branch_id) IS DISTINCT FROM (n.status, n.held_on, n.kind, n.unit_id, n.branch_id)
"""
UNIT_ROWS = """
    SELECT id AS branch_id FROM {table} WHERE kind = 'branch'
    UNION ALL
    SELECT p.id FROM {table} g JOIN branches_orgunit p ON p.path = substr(g.path, 1, length(g.path) - length(g.path) / g.depth)
    WHERE g.kind = 'group' AND g.depth > 1
"""
# A unit whose path, depth, kind or founding date changed: itself if a branch, its branch (before and
# after a move) if a group.
UNIT_CHANGED = (
    """
    WITH changed AS (
        SELECT x.* FROM old_rows o JOIN new_rows n ON n.id = o.id,
        LATERAL (VALUES (o.id, o.path, o.depth, o.kind), (n.id, n.path, n.depth, n.kind)) x (id, path, depth, kind)
        WHERE (o.path, o.depth, o.kind, o.founded_on) IS DISTINCT FROM (n.path, n.depth, n.kind, n.founded_on)
    )
"""
    + UNIT_ROWS.format(table="changed")
)
MEMBER_CHANGED = """
    SELECT s.branch_id FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN members_membership s ON s.member_id = n.id
    WHERE (o.joined_on, o.full_on, o.category, o.status, o.counts_when_retired)
          IS DISTINCT FROM (n.joined_on, n.full_on, n.category, n.status, n.counts_when_retired)
"""
SPAN_CHANGED = """
    SELECT x.branch_id FROM old_rows o JOIN new_rows n ON n.id = o.id, LATERAL (VALUES (o.branch_id), (n.branch_id)) x (branch_id)
    WHERE (o.branch_id, o.member_id, o.start, o."end") IS DISTINCT FROM (n.branch_id, n.member_id, n.start, n."end")
"""


# (table, event, rows whose branch is recorded)
TRIGGERS = [
    ("activities_meeting", "INSERT", MEETING_ROWS.format(table="new_rows")),
    ("activities_meeting", "DELETE", MEETING_ROWS.format(table="old_rows")),
    ("activities_meeting", "UPDATE", MEETING_CHANGED),
    ("branches_orgunit", "INSERT", UNIT_ROWS.format(table="new_rows")),
    ("branches_orgunit", "DELETE", UNIT_ROWS.format(table="old_rows")),
    ("branches_orgunit", "UPDATE", UNIT_CHANGED),
    ("members_member", "UPDATE", MEMBER_CHANGED),
    ("members_membership", "INSERT", "SELECT branch_id FROM new_rows"),
    ("members_membership", "DELETE", "SELECT branch_id FROM old_rows"),
    ("members_membership", "UPDATE", SPAN_CHANGED),
]


def _name(table, event):
    return f"{table}_gaps_{event.lower()}"


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, event, rows in TRIGGERS:
        name = _name(table, event)
        tables = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows"}.get(
            event, "OLD TABLE AS old_rows NEW TABLE AS new_rows"
        )
        schema_editor.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{RECORD.format(rows=rows)}; RETURN NULL; END $$"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, event, _rows in TRIGGERS:
        name = _name(table, event)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0011_meeting_submitted_unit_kind'),
        ('branches', '0003_dates_within_bounds'),
        ('members', '0007_probationary_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='ComplianceChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('branch_id', models.IntegerField(db_index=True, verbose_name='支部')),
            ],
            options={
                'verbose_name': '三会一课缺项变更',
                'verbose_name_plural': '三会一课缺项变更',
            },
        ),
        migrations.CreateModel(
            name='ComplianceBuilt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('branch_id', models.IntegerField(verbose_name='支部')),
                ('year', models.SmallIntegerField(verbose_name='年度')),
            ],
            options={
                'verbose_name': '三会一课缺项已计算',
                'verbose_name_plural': '三会一课缺项已计算',
                'constraints': [models.UniqueConstraint(fields=('branch_id', 'year'), name='gaps_built_once')],
            },
        ),
        migrations.CreateModel(
            name='ComplianceGap',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('branch_id', models.IntegerField(verbose_name='支部')),
                ('year', models.SmallIntegerField(verbose_name='年度')),
                ('unit_id', models.IntegerField(verbose_name='组织')),
                ('kind', models.CharField(max_length=30, verbose_name='会议类型')),
                ('starts', models.DateField(verbose_name='开始')),
                ('ends', models.DateField(verbose_name='结束')),
            ],
            options={
                'verbose_name': '三会一课缺项',
                'verbose_name_plural': '三会一课缺项',
                'indexes': [models.Index(fields=['year', 'kind', 'starts', 'ends'], include=('branch_id',), name='gap_window'), models.Index(fields=['branch_id', 'year'], name='gap_branch_year')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
