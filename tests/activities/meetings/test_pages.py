"""The meeting pages: logging in two minutes, detail, edit, submit, return, and who may reach what."""

import datetime as dt
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Meeting
from tests.factories import log_meeting, make_member


@pytest.fixture
def committee(org):
    """The branch gets a committee of three (with 张伟 as an ordinary member)."""
    return [
        make_member(org.branch, name="王书记", committee_post="书记"),
        make_member(org.branch, name="李组织", committee_post="组织委员"),
        make_member(org.branch, name="赵宣传", committee_post="宣传委员"),
    ]


def yesterday():
    return timezone.localdate() - dt.timedelta(days=1)


def form_data(unit, kind, day=None, **extra):
    day = day or yesterday()
    data = {
        "kind": kind,
        "unit": unit.pk,
        "held_at": f"{day:%Y-%m-%d}T15:00",
        "topic": "研究本月党建工作",
        "place": "党员活动室",
        "host": "王书记",
        "recorder": "李组织",
        "lecturer": "",
        "agenda": "",
        "minutes": "会议研究了本月党建工作。",
        "resolutions": "",
    }
    data.update(extra)
    return data


def test_the_form_lists_everyone_expected_as_present(org, committee, login):
    client = login(org.secretary)
    response = client.get(reverse("activities:create"), {"unit": org.branch.pk, "kind": "committee_meeting"})
    assert response.status_code == 200
    html = response.content.decode()
    for member in committee:
        assert f'name="att-{member.pk}" id="att-{member.pk}-present" value="present" autocomplete="off" checked' in html
    assert f"att-{org.member.pk}" not in html  # 张伟 holds no committee post


def test_log_a_committee_meeting_with_one_on_leave_and_submit(org, committee, login):
    client = login(org.secretary)
    data = form_data(org.branch, "committee_meeting", submit="1")
    data[f"att-{committee[1].pk}"] = "leave"
    data[f"reason-{committee[1].pk}"] = "外出办案"
    response = client.post(reverse("activities:create") + f"?unit={org.branch.pk}", data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("activities:detail", args=[meeting.pk])
    assert meeting.status == "submitted" and meeting.created_by == org.secretary
    assert (meeting.expected_count, meeting.present_count, meeting.leave_count) == (3, 2, 1)
    assert meeting.attendance.get(member=committee[1]).reason == "外出办案"
    page = client.get(response["Location"]).content.decode()
    assert "外出办案" in page and "已提交" in page


def test_a_draft_is_saved_and_errors_keep_the_marks(org, committee, login):
    client = login(org.secretary)
    data = form_data(org.branch, "committee_meeting", topic="")
    data[f"att-{committee[2].pk}"] = "absent"
    response = client.post(reverse("activities:create"), data)
    assert response.status_code == 200 and not Meeting.objects.exists()
    html = response.content.decode()
    assert f'id="att-{committee[2].pk}-absent" value="absent" autocomplete="off" checked' in html
    data["topic"] = "研究本月党建工作"
    response = client.post(reverse("activities:create"), {**data, "save": "1"})
    meeting = Meeting.objects.get()
    assert meeting.status == "draft" and meeting.absent_count == 1


def test_submit_problems_are_explained(org, committee, login):
    client = login(org.secretary)
    client.post(reverse("activities:create"), form_data(org.branch, "party_lesson", submit="1"))
    meeting = Meeting.objects.get()
    assert meeting.status == "draft"
    page = client.get(reverse("activities:detail", args=[meeting.pk])).content.decode()
    assert "党课须填写授课人" in page


def test_attendance_table_follows_kind_and_date(org, committee, login):
    client = login(org.secretary)
    url = reverse("activities:attendance_table")
    params = {"unit": org.branch.pk, "kind": "committee_meeting", "held_at": f"{yesterday():%Y-%m-%d}T10:00"}
    html = client.get(url, {**params, f"att-{committee[0].pk}": "leave"}).content.decode()
    assert "王书记" in html and "张伟" not in html
    assert f'id="att-{committee[0].pk}-leave" value="leave" autocomplete="off" checked' in html
    html = client.get(url, {**params, "kind": "general_meeting"}).content.decode()
    assert "张伟" in html


def test_group_leader_logs_the_group_meeting_only(org, committee, login):
    client = login(org.group_leader)
    response = client.get(reverse("activities:create"))
    assert response.status_code == 200
    assert 'value="group_meeting" selected' in response.content.decode()
    response = client.post(reverse("activities:create"), form_data(org.group, "group_meeting", submit="1"))
    assert response.status_code == 302
    assert Meeting.objects.get().unit == org.group
    # The branch is outside the group leader's subtree: it does not exist for them.
    response = client.post(reverse("activities:create"), form_data(org.branch, "theme_day"))
    assert response.status_code == 404 and Meeting.objects.count() == 1
    response = client.get(reverse("activities:create"), {"unit": org.branch.pk})
    assert response.status_code == 404


def test_return_and_resubmit_through_the_pages(org, committee, login):
    meeting = log_meeting(org.branch, Meeting.Kind.COMMITTEE_MEETING, yesterday(), by=org.secretary)
    secretary = login(org.secretary)
    # The branch's own secretary cannot return (404), nor edit a submitted record.
    assert secretary.get(reverse("activities:return", args=[meeting.pk])).status_code == 404
    response = secretary.get(reverse("activities:edit", args=[meeting.pk]))
    assert response.status_code == 302
    general = login(org.general_secretary)
    response = general.post(reverse("activities:return", args=[meeting.pk]), {"comment": "请补充会议决议"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "returned" and meeting.return_comment == "请补充会议决议"
    secretary = login(org.secretary)
    page = secretary.get(reverse("activities:detail", args=[meeting.pk])).content.decode()
    assert "请补充会议决议" in page
    data = form_data(org.branch, "committee_meeting", resolutions="决定开展主题党日活动", submit="1")
    response = secretary.post(reverse("activities:edit", args=[meeting.pk]), data)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.resolutions) == ("submitted", "决定开展主题党日活动")
    # The committee may return too.
    committee_client = login(org.committee_user)
    assert committee_client.get(reverse("activities:return", args=[meeting.pk])).status_code == 200


def test_outsiders_get_404_everywhere(org, committee, login):
    meeting = log_meeting(org.branch, Meeting.Kind.COMMITTEE_MEETING, yesterday(), submit=False)
    client = login(org.outsider)
    for name in ("detail", "edit", "return"):
        assert client.get(reverse(f"activities:{name}", args=[meeting.pk])).status_code == 404, name
    for name in ("submit", "delete"):
        assert client.post(reverse(f"activities:{name}", args=[meeting.pk])).status_code == 404, name
    assert client.get(reverse("activities:ledger", args=[org.branch.pk])).status_code == 404
    assert client.get(reverse("activities:ledger_export", args=[org.branch.pk])).status_code == 404
    assert client.get(reverse("activities:create"), {"unit": org.branch.pk}).status_code == 404
    assert client.get(reverse("activities:attendance_table"), {"unit": org.branch.pk}).status_code == 404
    # A group leader sees the group's records, not the branch's.
    leader = login(org.group_leader)
    assert leader.get(reverse("activities:detail", args=[meeting.pk])).status_code == 404
    # A plain member has no ledger at all.
    member = login(org.member_user)
    assert member.get(reverse("activities:index")).status_code == 404
    assert member.get(reverse("activities:detail", args=[meeting.pk])).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == "draft"


def test_general_secretary_can_view_and_mend_a_group_draft_below(org, committee, login):
    meeting = log_meeting(org.group, Meeting.Kind.GROUP_MEETING, yesterday(), submit=False)
    client = login(org.general_secretary)
    assert client.get(reverse("activities:detail", args=[meeting.pk])).status_code == 200
    # Managers above may mend a draft too (they may log for the units they manage).
    assert client.get(reverse("activities:edit", args=[meeting.pk])).status_code == 200


def test_index_lists_units_and_pending_records(org, committee, login):
    log_meeting(org.branch, Meeting.Kind.THEME_DAY, date(2025, 3, 1), submit=False, topic="待提交的主题党日")
    html = login(org.secretary).get(reverse("activities:index")).content.decode()
    assert "刑事审判庭党支部" in html and "第一党小组" in html and "待提交的主题党日" in html
    assert "办公室党支部" not in html


def test_the_form_offers_only_kinds_the_units_can_hold(org, committee, login):
    html = login(org.group_leader).get(reverse("activities:create")).content.decode()
    assert 'value="group_meeting"' in html and 'value="committee_meeting"' not in html
    html = login(org.secretary).get(reverse("activities:create"), {"unit": org.branch.pk}).content.decode()
    assert 'value="group_meeting"' in html and 'value="committee_meeting"' in html


def test_odd_parameters_are_not_errors(org, committee, login):
    client = login(org.secretary)
    assert client.get(reverse("activities:attendance_table"), {"unit": "x"}).status_code == 404
    table = client.get(reverse("activities:attendance_table"), {"unit": org.branch.pk, "held_at": "soon"})
    assert table.status_code == 200
    ledger = client.get(reverse("activities:ledger", args=[org.branch.pk]), {"year": "abc", "kind": "nonsense"})
    assert ledger.status_code == 200 and "筛选条件有误" in ledger.content.decode()
    assert client.get(reverse("activities:compliance"), {"year": "x", "quarter": "9"}).status_code == 200
    # The committee is asked to pick a unit before the form.
    response = login(org.committee_user).get(reverse("activities:create"))
    assert response.status_code == 302 and response["Location"] == reverse("activities:index")
