"""The compliance overview's stored gaps (activities/gaps.py): after a refresh the ranking read from
them equals the rules on the hand-made branches at every boundary; every kind of write that can change
a branch's gaps is recorded by the database's triggers, whichever way it is written, and until the
next refresh that branch is counted from its meetings, so the ranking is right at every moment."""

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection

from activities import gaps, selectors, tasks
from activities import services as activity_services
from activities.models import ComplianceBuilt, ComplianceChange, ComplianceGap, Meeting
from branches.models import OrgUnit
from core.bulk import copy_rows
from members.models import Member, Membership
from tests.factories import log_meeting, make_member, make_unit

from .conftest import YEAR, K
from .test_compliance_ranking import days_around, python_ranking, sql_ranking

# A refresh on the year's last day keeps YEAR and the four years before it.
REFRESH_DAY = dt.date(YEAR, 12, 31)
NEW_YEAR = dt.date(YEAR + 1, 1, 1)


def stale(branch) -> bool:
    """The branch is counted from its meetings: its year is not stored, or a change is recorded."""
    return (
        ComplianceChange.objects.filter(branch_id=branch.pk).exists()
        or not ComplianceBuilt.objects.filter(branch_id=branch.pk, year=YEAR).exists()
    )


@pytest.fixture
def stored(branches):
    gaps.gaps_refresh(REFRESH_DAY)
    assert not any(stale(b) for b in branches)
    return {b.code: b for b in branches}


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_the_stored_gaps_rank_as_the_rules_at_every_boundary(stored, quarter):
    branches = list(stored.values())
    for today in days_around(quarter):
        assert sql_ranking(branches, quarter, today) == python_ranking(branches, quarter, today), today


def test_the_ranking_reads_the_stored_rows(stored):
    """Not the meetings: a stored gap taken away (no trigger on the stored rows) shows in the ranking
    until the branch is written to."""
    branches = list(stored.values())
    expected = {pk: (missing, due) for pk, missing, due in python_ranking(branches, 4, NEW_YEAR)}
    big = stored["ZB2"]
    gap = ComplianceGap.objects.filter(branch_id=big.pk, year=YEAR, starts__gte=dt.date(YEAR, 10, 1)).first()
    assert gap is not None and expected[big.pk][0] > 0
    gap.delete()
    got = {pk: (missing, due) for pk, missing, due in sql_ranking(branches, 4, NEW_YEAR)}
    assert got[big.pk] == (expected[big.pk][0] - 1, 0)
    # A write to the branch: counted from the meetings again, right before any refresh.
    log_meeting(big, K.THEME_DAY, dt.date(YEAR, 2, 1))
    assert stale(big)
    assert sql_ranking(branches, 4, NEW_YEAR) == python_ranking(branches, 4, NEW_YEAR)


def _meeting(code, kind, day):
    return Meeting.objects.get(branch__code=code, kind=kind, held_on=day)


def submit_a_draft(org, b):
    draft = _meeting("ZB2", K.THEME_DAY, dt.date(YEAR, 11, 1))
    activity_services.meeting_submit(meeting=draft, by=None)
    return "ZB2"


def return_a_record(org, b):
    meeting = _meeting("ZB2", K.GENERAL_MEETING, dt.date(YEAR, 12, 31))
    activity_services.meeting_return(meeting=meeting, by=None, comment="请补充会议记录")
    return "ZB2"


def delete_a_record(org, b):  # as the admin does: a submitted record, no service
    _meeting("ZB3", K.GENERAL_MEETING, dt.date(YEAR, 10, 1)).delete()
    return "ZB3"


def move_a_record_to_another_month(org, b):  # a bulk update, as imports and repairs write
    Meeting.objects.filter(branch=b["ZB2"], kind=K.COMMITTEE_MEETING, held_on=dt.date(YEAR, 12, 1)).update(
        held_on=dt.date(YEAR, 9, 1)
    )
    return "ZB2"


def change_a_record_s_kind(org, b):
    Meeting.objects.filter(branch=b["ZB3"], kind=K.THEME_DAY, held_on=dt.date(YEAR, 11, 30)).update(
        kind=K.GENERAL_MEETING
    )
    return "ZB3"


def move_a_record_to_another_branch(org, b):
    meeting = _meeting("ZB3", K.GENERAL_MEETING, dt.date(YEAR, 10, 1))
    meeting.branch = meeting.unit = b["ZB5"]
    meeting.save()
    return "ZB3"


def found_a_group(org, b):
    make_unit(OrgUnit.Kind.GROUP, b["ZB3"], code="ZB3-1", name="新成立的小组", founded_on=dt.date(YEAR, 10, 15))
    return "ZB3"


def move_a_group_s_founding_date(org, b):
    OrgUnit.objects.filter(code="ZB2-1").update(founded_on=dt.date(YEAR, 12, 1))
    return "ZB2"


def remove_a_group(org, b):
    group = OrgUnit.objects.get(code="ZB2-1")
    Membership.objects.filter(group=group).update(group=None)
    Meeting.objects.filter(unit=group).delete()
    group.delete()
    return "ZB2"


def end_a_membership(org, b):  # seven full members become six: no committee, no 支委会 months
    span = Membership.objects.filter(branch=b["ZB2"]).order_by("pk").first()
    span.end = dt.date(YEAR, 12, 30)
    span.save()
    return "ZB2"


def add_a_full_member(org, b):  # six become seven: a committee, 支委会 months missing
    make_member(b["ZB3"], since=dt.date(2020, 1, 1))
    return "ZB3"


def delete_a_membership(org, b):
    Membership.objects.filter(branch=b["ZB5"], member__status=Member.Status.RETIRED).delete()
    return "ZB5"


def make_a_member_probationary(org, b):  # a member's own row, not the span
    member = Membership.objects.filter(branch=b["ZB2"]).order_by("pk").first().member
    Member.objects.filter(pk=member.pk).update(
        category=Member.Category.PROBATIONARY, joined_on=dt.date(YEAR, 3, 1), full_on=None
    )
    return "ZB2"


def stop_counting_a_retired_member(org, b):
    Member.objects.filter(memberships__branch=b["ZB5"], status=Member.Status.RETIRED).update(counts_when_retired=False)
    return "ZB5"


def copy_in_a_record(org, b):  # COPY, as seed_scale and the jobs load rows
    template = _meeting("ZB3", K.GENERAL_MEETING, dt.date(YEAR, 10, 1))
    fields = [f for f in Meeting._meta.concrete_fields if not f.primary_key]
    row = [K.PARTY_LESSON if f.name == "kind" else getattr(template, f.attname) for f in fields]
    with connection.cursor() as cursor:
        copy_rows(cursor, Meeting._meta.db_table, [f.column for f in fields], [row])
    return "ZB3"


MUTATIONS = [
    submit_a_draft,
    return_a_record,
    delete_a_record,
    move_a_record_to_another_month,
    change_a_record_s_kind,
    move_a_record_to_another_branch,
    found_a_group,
    move_a_group_s_founding_date,
    remove_a_group,
    end_a_membership,
    add_a_full_member,
    delete_a_membership,
    make_a_member_probationary,
    stop_counting_a_retired_member,
    copy_in_a_record,
]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.__name__)
def test_every_write_is_recorded_and_the_ranking_stays_right(org, stored, mutation):
    branches = list(stored.values())
    before = python_ranking(branches, 4, NEW_YEAR)
    code = mutation(org, stored)
    after = python_ranking(branches, 4, NEW_YEAR)
    assert after != before  # the write changes what the rules say
    assert stale(stored[code])  # the trigger recorded it
    # Counted from the meetings until the refresh, from the stored rows after it: the same both times.
    assert sql_ranking(branches, 4, NEW_YEAR) == after
    assert gaps.gaps_refresh(REFRESH_DAY) >= 1
    assert not any(stale(b) for b in branches)
    for today in (dt.date(YEAR, 10, 31), dt.date(YEAR, 12, 1), NEW_YEAR):
        assert sql_ranking(branches, 4, today) == python_ranking(branches, 4, today), today


def test_a_write_that_changes_nothing_counted_records_nothing(stored):
    meeting = _meeting("ZB2", K.GENERAL_MEETING, dt.date(YEAR, 12, 31))
    Meeting.objects.filter(pk=meeting.pk).update(topic="改过的议题", present_count=3)
    log_meeting(stored["ZB2"], K.THEME_DAY, dt.date(YEAR, 5, 1), submit=False)  # a draft
    OrgUnit.objects.filter(code="ZB2-1").update(name="改名的小组")
    Member.objects.filter(memberships__branch=stored["ZB2"]).update(phone="13800000000")
    assert not stale(stored["ZB2"])


def test_a_change_made_while_the_refresh_runs_stays_recorded(stored, monkeypatch):
    """The refresh deletes the changes it saw before it read, not those committed meanwhile."""
    six = stored["ZB3"]
    log_meeting(six, K.THEME_DAY, dt.date(YEAR, 12, 5))
    real = selectors.gaps_query
    calls = SimpleNamespace(n=0)

    def meanwhile(*args, **kwargs):
        calls.n += 1
        if calls.n == 1:  # another writer's change arrives after the refresh listed the changes
            ComplianceChange.objects.create(branch_id=six.pk)
        return real(*args, **kwargs)

    monkeypatch.setattr(selectors, "gaps_query", meanwhile)
    gaps.gaps_refresh(REFRESH_DAY)
    assert ComplianceChange.objects.filter(branch_id=six.pk).count() == 1
    assert stale(six)


def test_refreshing_twice_does_nothing_the_second_time(stored):
    rows = sorted(ComplianceGap.objects.values_list("branch_id", "year", "unit_id", "kind", "starts", "ends"))
    assert rows
    assert gaps.gaps_refresh(REFRESH_DAY) == 0
    assert sorted(ComplianceGap.objects.values_list("branch_id", "year", "unit_id", "kind", "starts", "ends")) == rows


def test_the_years_kept_move_with_the_calendar_and_the_old_ones_are_dropped(stored):
    years = set(ComplianceBuilt.objects.values_list("year", flat=True))
    assert years == set(range(YEAR - 4, YEAR + 1))
    later = dt.date(YEAR + 2, 1, 5)
    assert gaps.gaps_rebuild_all(later) == len(stored)
    assert set(ComplianceBuilt.objects.values_list("year", flat=True)) == set(range(YEAR - 2, YEAR + 3))
    assert not ComplianceGap.objects.filter(year__lt=YEAR - 2).exists()


def test_the_rows_of_a_removed_branch_are_pruned(stored, org):
    gone = make_unit(OrgUnit.Kind.BRANCH, org.general, code="ZB8", name="撤销的支部")
    gaps.gaps_refresh(REFRESH_DAY)
    assert ComplianceGap.objects.filter(branch_id=gone.pk).exists()  # nothing held: every window empty
    gone_pk = gone.pk
    gone.delete()
    assert gaps.gaps_prune(REFRESH_DAY) > 0
    for model in (ComplianceGap, ComplianceBuilt, ComplianceChange):
        assert not model.objects.filter(branch_id=gone_pk).exists()


def test_the_command_and_the_tasks_refresh(stored):
    log_meeting(stored["ZB3"], K.THEME_DAY, dt.date(YEAR, 12, 5))
    assert stale(stored["ZB3"])
    assert tasks.refresh_compliance_gaps.apply().get() >= 1
    assert not stale(stored["ZB3"])
    assert tasks.rebuild_compliance_gaps.apply().get() >= len(stored)
    out = io.StringIO()
    call_command("compliance_gaps", "--rebuild", stdout=out)
    assert f"已计算 {len(stored)} 个支部的缺项" in out.getvalue()
    assert not any(stale(b) for b in stored.values())


def test_the_nightly_rebuild_rewrites_branches_with_no_change_in_place(stored):
    """A stored row gone wrong without a write (a rules change, a repair by hand) is put right by the
    rebuild, and no branch is counted from its meetings while it runs (nothing is marked stale)."""
    rows = sorted(ComplianceGap.objects.values_list("branch_id", "year", "unit_id", "kind", "starts", "ends"))
    ComplianceGap.objects.filter(pk=ComplianceGap.objects.order_by("pk").values("pk")[:1]).delete()
    assert gaps.gaps_refresh(REFRESH_DAY) == 0  # the refresh alone does not see it
    built = ComplianceBuilt.objects.count()
    assert gaps.gaps_rebuild_all(REFRESH_DAY) == len(stored)
    assert ComplianceBuilt.objects.count() == built
    assert sorted(ComplianceGap.objects.values_list("branch_id", "year", "unit_id", "kind", "starts", "ends")) == rows
