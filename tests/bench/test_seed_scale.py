"""seed_scale: the benchmark's organisation has the promised shape, and it refuses to fill a database twice."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Sum

from activities.models import Appraisal, AppraisalEntry, Attendance, Meeting, Pledge, StudyNote, Talk
from assessment.models import Application, BranchRating, Problem, Score, StarHistory
from assessment.services import ratings
from branches.models import OrgUnit
from members.models import Member, Membership
from members.selectors import members_of_unit_on

YEAR = 2025
BRANCHES = 6


@pytest.fixture(scope="module")
def scale(django_db_setup, django_db_blocker):
    """seed_scale's output. The organisation is generated once for this module's tests, in a transaction
    rolled back after the last of them; each test runs in a savepoint of its own (django_db), so one that
    rates the year leaves the next the organisation as generated.

    The transaction stays open until the module ends: every test of this module sees the organisation,
    and a transactional test (django_db(transaction=True)) cannot live here: it would run inside this
    transaction. The write floors' test, which needs one, is in test_benchmarks.py."""
    out = StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_scale", "--branches", str(BRANCHES), "--year", str(YEAR), stdout=out)
        connection.check_constraints()  # as a commit would, once, not again at the end of each test
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_the_rating_runs_on_it(scale):
    ratings.year_propose(year=YEAR, today=date(YEAR + 1, 1, 15))
    assert BranchRating.objects.filter(rating__year=YEAR).count() == BRANCHES


@pytest.mark.django_db
def test_it_refuses_to_fill_a_database_twice(scale):
    before = Meeting.objects.count()
    with pytest.raises(CommandError, match="数据库中已有 .* 个党组织：seed_scale 只往空数据库里生成压测数据"):
        call_command("seed_scale", "--branches", "3", "--year", str(YEAR))
    assert Meeting.objects.count() == before
