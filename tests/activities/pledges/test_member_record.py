"""The member's record (个人综合业绩档案): who may open it and what it gathers."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.pledges import services
from members.services import member_transfer
from tests.factories import make_member, member_with_login

TODAY = timezone.localdate()
YEAR = TODAY.year


def _fill(org, member, n=1):
    for i in range(n):
        pledge = services.pledge_create(branch=org.branch, member=member, year=YEAR, content=f"承诺事项{i}")
        services.pledge_note_add(pledge=pledge, text="进展", noted_on=TODAY)
        services.study_note_create(member=member, month=TODAY.replace(day=1), title=f"心得{i}", body="正文")


def test_record_gathers_pledges_grades_notes_and_transfers(org, login):
    _fill(org, org.member)
    appraisal = services.appraisal_open(branch=org.branch, year=YEAR)
    entry = appraisal.entries.get()
    services.appraisal_end_voting(appraisal=appraisal)
    services.appraisal_decide(appraisal=appraisal, decisions={entry.pk: ("excellent", "表现突出")})
    services.appraisal_close(appraisal=appraisal)
    pledge = org.member.pledges.get()
    services.pledge_rate_all(branch=org.branch, year=YEAR, ratings={pledge.pk: ("partial", "")})
    member_transfer(member=org.member, to_branch=org.other_branch, on=TODAY)

    page = login(org.member_user).get(reverse("pledges:my_record"), follow=True).content.decode()
    assert "承诺事项0" in page and "部分兑现" in page and "兑现率 50%" in page
    assert "优秀" in page and "表现突出" in page
    assert "心得0" in page
    assert f"{org.branch.name} → {org.other_branch.name}" in page


def test_open_appraisals_stay_out_of_the_record(org, login):
    appraisal = services.appraisal_open(branch=org.branch, year=YEAR)
    services.appraisal_end_voting(appraisal=appraisal)
    services.appraisal_decide(appraisal=appraisal, decisions={appraisal.entries.get().pk: ("basic", "待定意见")})
    page = login(org.member_user).get(reverse("pledges:record", args=[org.member.pk])).content.decode()
    assert "待定意见" not in page


def test_who_may_open_a_record(org, login):
    url = reverse("pledges:record", args=[org.member.pk])
    assert login(org.member_user).get(url).status_code == 200
    for user in (org.secretary, org.general_secretary, org.committee_user):
        assert login(user).get(url).status_code == 200
    colleague = member_with_login(make_member(org.branch, name="李娜"), "lina")
    for user in (org.outsider, org.group_leader, colleague):
        assert login(user).get(url).status_code == 404


def test_a_user_without_a_member_has_no_own_record(org, login):
    assert login(org.secretary).get(reverse("pledges:my_record")).status_code == 404


def test_record_queries_do_not_grow_with_history(org, login, django_assert_max_num_queries):
    client = login(org.member_user)
    url = reverse("pledges:record", args=[org.member.pk])
    _fill(org, org.member, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _fill(org, org.member, 4)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_record_shows_attendance_by_year_meetings_missed_and_talks(org, login):
    from datetime import timedelta

    from activities import services as meeting_services
    from activities.models import Meeting
    from tests.factories import log_meeting

    day = TODAY - timedelta(days=3)
    marks_absent = {org.member.pk: ("absent", "")}
    log_meeting(
        org.branch, Meeting.Kind.GENERAL_MEETING, day, by=org.secretary, marks=marks_absent, topic="学习全会精神"
    )
    log_meeting(org.branch, Meeting.Kind.PARTY_LESSON, day, by=org.secretary, topic="专题党课")
    log_meeting(org.branch, Meeting.Kind.THEME_DAY, day, by=org.secretary, marks={org.member.pk: ("leave", "出差")})
    log_meeting(org.branch, Meeting.Kind.PARTY_LESSON, day, by=org.secretary, marks=marks_absent, submit=False)
    meeting_services.talk_create(
        by=org.secretary, branch=org.branch, member=org.member, talked_on=day, talker_name="王书记", note="谈工作压力"
    )

    own = login(org.member_user).get(reverse("pledges:record", args=[org.member.pk])).content.decode()
    assert "50%" in own  # general meeting absent, party lesson present; the draft does not count
    assert "学习全会精神" in own and "缺席" in own
    assert "请假（出差）" in own
    assert "与王书记谈心谈话" in own
    assert "谈工作压力" not in own  # the talk's note is for the branch's managers
    secretary_view = login(org.secretary).get(reverse("pledges:record", args=[org.member.pk])).content.decode()
    assert "谈工作压力" in secretary_view
