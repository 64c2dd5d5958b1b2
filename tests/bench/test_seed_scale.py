"""seed_scale: the benchmark's organisation has the promised shape, and it refuses to fill a database twice."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext

from activities.models import Appraisal, AppraisalEntry, Attendance, Meeting, Pledge, StudyNote, Talk
from assessment.models import YEAR_QUARTER, Application, BranchRating, Problem, Score, StarHistory
from assessment.services import checks, ratings
from assessment.yearbook import benchmarks
from branches.models import OrgUnit
from members.models import Member, Membership
from members.selectors import members_of_unit_on

YEAR = 2025
BRANCHES = 6


@pytest.fixture
def scale(db, capsys):
    call_command("seed_scale", "--branches", str(BRANCHES), "--year", str(YEAR))
    return capsys.readouterr().out


def test_the_shape_of_a_small_scale_organisation(scale):
    assert "完成" in scale
    branches = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH)
    assert branches.count() == BRANCHES
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])  # a sound treebeard tree
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE).count() == 1
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.GENERAL_BRANCH).exists()
    members = Member.objects.count()
    assert 8 * BRANCHES <= members <= 42 * BRANCHES
    assert Membership.objects.count() == members
    assert Member.objects.filter(category=Member.Category.PROBATIONARY).exists()
    # Groups hold their members: what a 党小组会 expects.
    group = OrgUnit.objects.filter(kind=OrgUnit.Kind.GROUP).first()
    if group is not None:
        assert members_of_unit_on(group, date(YEAR, 6, 1)).exists()

    per_branch = Meeting.objects.filter(held_on__year=YEAR).count() / BRANCHES
    assert 25 <= per_branch <= 60
    sums = Meeting.objects.aggregate(expected=Sum("expected_count"), present=Sum("present_count"))
    assert Attendance.objects.count() == sums["expected"]
    assert Attendance.objects.filter(status="present").count() == sums["present"]
    assert Meeting.objects.filter(is_backfilled=True).exists()
    assert Meeting.objects.filter(status=Meeting.Status.SUBMITTED).count() > 0.9 * Meeting.objects.count()
    for model in (Pledge, StudyNote, Talk, Problem, Score, Application, StarHistory):
        assert model.objects.exists(), model.__name__
    assert Appraisal.objects.filter(status="closed").count() == BRANCHES
    assert AppraisalEntry.objects.count() == members
    assert set(StarHistory.objects.values_list("year", flat=True)) <= {YEAR - 2, YEAR - 1}
    # Every meeting's counters agree with its attendance rows.
    counted = Attendance.objects.values("meeting_id").annotate(n=Count("pk"))
    expected = dict(Meeting.objects.values_list("pk", "expected_count"))
    assert all(row["n"] == expected[row["meeting_id"]] for row in counted)


def test_the_rating_runs_on_it(scale):
    ratings.year_propose(year=YEAR, today=date(YEAR + 1, 1, 15))
    assert BranchRating.objects.filter(rating__year=YEAR).count() == BRANCHES


def test_it_refuses_to_fill_a_database_twice(scale):
    before = Meeting.objects.count()
    with pytest.raises(CommandError, match="数据库中已有 .* 个党组织：seed_scale 只往空数据库里生成压测数据"):
        call_command("seed_scale", "--branches", "3", "--year", str(YEAR))
    assert Meeting.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_the_write_floors_insert_the_jobs_rows_and_leave_nothing_behind():
    call_command("seed_scale", "--branches", "3", "--year", str(YEAR))
    before = set(Score.objects.values_list("pk", "branch_id", "indicator_id", "quarter", "computed"))
    with CaptureQueriesContext(connection) as queries:
        took = benchmarks.write_floor(YEAR, 4)
    assert took > 0
    statements = [q["sql"].lstrip() for q in queries.captured_queries]
    inserted = [sql for sql in statements if sql.startswith("INSERT INTO assessment_score")]
    assert len(inserted) == benchmarks.FLOOR_REPEATS
    assert set(Score.objects.values_list("pk", "branch_id", "indicator_id", "quarter", "computed")) == before
    # As many rows as the jobs write: the same statement, kept, against each job's own count.
    floor_rows = {}
    with connection.cursor() as cursor:
        for quarter in (4, YEAR_QUARTER):
            cursor.execute(benchmarks.WRITE_SCORES, benchmarks.write_params(YEAR, quarter))
            floor_rows[quarter] = cursor.rowcount
    Score.objects.filter(computed_note=benchmarks.WRITE_NOTE).delete()
    checks.quarter_compute(year=YEAR, quarter=4, today=date(YEAR + 1, 1, 5))
    checks.year_auto_compute(year=YEAR, today=date(YEAR + 1, 1, 15))
    computed = dict(Score.objects.filter(computed__isnull=False).values_list("quarter").annotate(n=Count("pk")))
    assert floor_rows == {4: computed[4], YEAR_QUARTER: computed[YEAR_QUARTER]}
    assert floor_rows[4] > 0 and floor_rows[YEAR_QUARTER] > 0


def test_the_report_shows_the_write_floor_beside_the_target():
    lines = [
        {"n": 1000, "job": "compute_quarter", "time": 1.0, "floor": 0.1, "write_floor": 0.2},
        {"n": 5000, "job": "compute_quarter", "time": 5.0, "floor": 0.5, "write_floor": 1.0},
    ]
    text, met = benchmarks.report(lines)
    assert "writing its scores alone 1.00 s; 3.33× read + write" in text
    assert "compute_quarter  at N=5,000: 10.00× floor (OVER 3×)" in text
    assert met is False
