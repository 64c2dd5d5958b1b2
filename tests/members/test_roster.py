"""The roster pages: list with search and filters, detail, add, edit, transfer, 转正 due dates."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from branches.models import OrgUnit
from members import idcard
from members.models import Member, Membership, Transfer
from members.rules import probation_status
from tests.factories import make_member, make_unit

LIST = reverse("members:list")
CREATE = reverse("members:create")


@pytest.fixture
def org(org):
    # Units are sorted by code, so adding one may shift its siblings' paths: reload them.
    for unit in (org.committee, org.general, org.branch, org.group, org.other_branch):
        unit.refresh_from_db()
    return org


def url(name, member):
    return reverse(f"members:{name}", args=[member.pk])


def names(response):
    return [m.name for m in response.context["page"].object_list]


def new_member_data(branch, **changes):
    data = {
        "name": "陈新",
        "gender": "女",
        "ethnicity": "汉族",
        "birth_date": "1990-04-05",
        "id_number": idcard.make_id_number("110101", date(1990, 4, 5), 22),
        "education": "大学本科",
        "phone": "13800000001",
        "branch": branch.pk,
        "group": "",
        "since": "",
        "department": "刑事审判庭",
        "post": "法官助理",
        "committee_post": "",
        "category": "full",
        "joined_on": "2015-07-01",
        "full_on": "2016-07-01",
        "probation_extended_until": "",
        "status": "active",
    }
    data.update(changes)
    return data


def edit_data(member, **changes):
    data = new_member_data(member.branch, id_number="")
    del data["branch"], data["since"]
    for name in ("name", "gender", "ethnicity", "education", "phone", "department", "post", "committee_post"):
        data[name] = getattr(member, name)
    data.update(
        birth_date=member.birth_date,
        joined_on=member.joined_on or "",
        full_on=member.full_on or "",
        category=member.category,
        status=member.status,
        group=member.group_id or "",
    )
    data.update(changes)
    return data


# The list


def test_list_search_by_name_phone_and_id_number(org, login):
    wang = make_member(org.branch, name="王芳", phone="13912345678")
    make_member(org.branch, name="李强")
    client = login(org.secretary)
    assert names(client.get(LIST, {"q": "王"})) == ["王芳"]
    assert names(client.get(LIST, {"q": "1234567"})) == ["王芳"]
    assert names(client.get(LIST, {"q": wang.id_number.lower()})) == ["王芳"]


def test_only_the_committee_finds_members_by_part_of_an_id_number(org, login):
    wang = make_member(org.branch, name="王芳")
    middle = wang.id_number[6:14]  # the birth date: hidden from everyone else
    assert names(login(org.committee_user).get(LIST, {"q": middle})) == ["王芳"]
    assert names(login(org.secretary).get(LIST, {"q": middle})) == []


def test_filters_unit_subtree_group_category_status_department(org, login):
    second = make_unit(OrgUnit.Kind.BRANCH, org.general, code="ZB2", name="民事审判庭党支部")
    make_member(second, name="民一", department="民一庭", category="probationary", full_on=None)
    make_member(org.branch, name="刑一", department="刑庭", status="retired")
    make_member(org.other_branch, name="办一", department="办公室")
    client = login(org.committee_user)
    assert set(names(client.get(LIST, {"unit": org.general.pk}))) == {"张伟", "民一", "刑一"}
    assert set(names(client.get(LIST, {"unit": org.branch.pk}))) == {"张伟", "刑一"}
    assert names(client.get(LIST, {"group": org.group.pk})) == ["张伟"]
    assert names(client.get(LIST, {"category": "probationary"})) == ["民一"]
    assert names(client.get(LIST, {"status": "retired"})) == ["刑一"]
    assert names(client.get(LIST, {"department": "办公室"})) == ["办一"]
    assert names(client.get(LIST, {"unit": org.general.pk, "department": "民一庭"})) == ["民一"]


def test_filter_choices_show_only_the_users_scope(org, login):
    response = login(org.secretary).get(LIST)
    form = response.context["filter"].form
    assert list(form.fields["unit"].queryset) == [org.branch]
    assert list(form.fields["group"].queryset) == [org.group]
    assert "办公室党支部" not in response.content.decode()


def test_list_is_paginated(org, login):
    for n in range(55):
        make_member(org.other_branch, name=f"成员{n:02d}")
    client = login(org.committee_user)
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == 50
    second = client.get(LIST, {"page": 2, "unit": org.other_branch.pk})
    assert len(second.context["page"].object_list) == 5
    assert "第 2 / 2 页" in second.content.decode()


def test_roster_query_count_does_not_grow_with_rows(org, login):
    client = login(org.secretary)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    make_member(org.branch, group=org.group, department="刑庭")
    few = queries()
    for n in range(8):
        make_member(org.branch, group=org.group if n % 2 else None, department=f"部门{n}")
    assert queries() == few


def test_id_numbers_are_masked_for_everyone_but_the_committee(org, login):
    full, masked = org.member.id_number, org.member.masked_id_number
    for user in (org.secretary, org.general_secretary, org.group_leader):
        client = login(user)
        for page in (client.get(LIST), client.get(url("detail", org.member))):
            assert masked in page.content.decode() and full not in page.content.decode()
    client = login(org.committee_user)
    assert full in client.get(LIST).content.decode()
    assert full in client.get(url("detail", org.member)).content.decode()


# The detail page


def test_detail_shows_every_field_transfers_and_history(org, login):
    page = login(org.secretary).get(url("detail", org.member)).content.decode()
    for value in ("张伟", "刑事审判庭党支部", "第一党小组", "2005-07-01", "正式党员", "在职", "变更记录", "创建"):
        assert value in page


def test_probation_due_warning_within_30_days_or_overdue(org, login):
    today = timezone.localdate()
    soon = make_member(
        org.branch, name="快到期", category="probationary", full_on=None, joined_on=today.replace(year=today.year - 1)
    )
    soon.joined_on = soon.joined_on + timedelta(days=20)
    soon.save()
    late = make_member(
        org.branch,
        name="已过期",
        category="probationary",
        full_on=None,
        joined_on=today.replace(year=today.year - 1) - timedelta(days=3),
    )
    later = make_member(org.branch, name="还早", category="probationary", full_on=None, joined_on=today)
    client = login(org.secretary)
    assert "还有20天，请准备转正" in client.get(url("detail", soon)).content.decode()
    assert "已过3天，请及时讨论转正" in client.get(url("detail", late)).content.decode()
    page = client.get(url("detail", later)).content.decode()
    assert "预备期至" in page and "请准备转正" not in page
    rows = client.get(reverse("members:probationary")).context["rows"]
    assert [member.name for member, _ in rows] == ["已过期", "快到期", "还早"]


def test_probation_status_rule():
    today = date(2026, 6, 1)
    assert probation_status(date(2026, 7, 1), today).level == "due"  # 30 days
    assert probation_status(date(2026, 7, 2), today).level == "ok"
    assert probation_status(date(2026, 5, 31), today).level == "overdue"
    assert probation_status(None, today).level == "unknown"


# Adding and editing


def test_secretary_adds_a_member(org, login):
    client = login(org.secretary)
    response = client.post(CREATE, new_member_data(org.branch, group=org.group.pk))
    member = Member.objects.get(name="陈新")
    assert response.url == url("detail", member)
    assert (member.branch, member.group) == (org.branch, org.group)
    assert Membership.objects.filter(member=member, branch=org.branch, end__isnull=True).exists()


def test_add_form_offers_only_branches_the_user_manages(org, login):
    client = login(org.secretary)
    form = client.get(CREATE).context["form"]
    assert list(form.fields["branch"].queryset) == [org.branch]
    assert form.initial["branch"] == org.branch  # their only branch, chosen for them
    assert list(form.fields["group"].queryset) == [org.group]
    response = client.post(CREATE, new_member_data(org.other_branch))
    assert "branch" in response.context["form"].errors
    assert not Member.objects.filter(name="陈新").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id_number": "110101199004050221"}, "身份证号校验位错误"),
        ({"id_number": "11010119900231022X"}, "不是有效日期"),
        ({"birth_date": "1990-04-06"}, "与出生日期1990-04-06不一致"),
        ({"id_number": "12345"}, "身份证号应为18位"),
    ],
)
def test_id_number_errors_show_on_the_field(org, login, changes, message):
    response = login(org.secretary).post(CREATE, new_member_data(org.branch, **changes))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["id_number"])
    assert message in response.content.decode()
    assert not Member.objects.filter(name="陈新").exists()


def test_a_duplicate_id_number_is_refused_on_the_field(org, login):
    data = new_member_data(org.branch, id_number=org.member.id_number, birth_date=org.member.birth_date)
    response = login(org.committee_user).post(CREATE, data)
    assert "id_number" in response.context["form"].errors


def test_the_group_must_belong_to_the_branch(org, login):
    second = make_unit(OrgUnit.Kind.BRANCH, org.general, code="ZB2", name="民事审判庭党支部")
    response = login(org.general_secretary).post(CREATE, new_member_data(second, group=org.group.pk))
    assert response.context["form"].errors["group"]
    assert not Member.objects.filter(name="陈新").exists()


def test_group_options_for_the_chosen_branch(org, login):
    response = login(org.secretary).get(reverse("members:group_options"), {"branch": org.branch.pk})
    assert "第一党小组" in response.content.decode()


def test_secretary_edits_a_member_and_the_history_says_what_changed(org, login):
    client = login(org.secretary)
    form_page = client.get(url("edit", org.member)).content.decode()
    assert org.member.id_number not in form_page  # not even in the edit form
    assert org.member.masked_id_number in form_page
    response = client.post(url("edit", org.member), edit_data(org.member, phone="13700000000", group=""))
    assert response.status_code == 302
    org.member.refresh_from_db()
    assert org.member.phone == "13700000000"
    assert org.member.id_number  # left blank: kept
    assert org.member.group is None
    history = client.get(url("detail", org.member)).context["history"]
    assert {(c.label, c.old, c.new) for c in history[0].changes} == {
        ("联系电话", None, "13700000000"),
        ("党小组", "第一党小组", None),
    }
    assert history[0].who == "secretary"


def test_id_number_changes_show_masked_in_history_except_to_the_committee(org, login):
    new_number = idcard.make_id_number("110101", org.member.birth_date, 999)
    response = login(org.secretary).post(url("edit", org.member), edit_data(org.member, id_number=new_number))
    assert response.status_code == 302
    page = login(org.secretary).get(url("detail", org.member)).content.decode()
    assert new_number not in page and idcard.mask(new_number) in page
    assert new_number in login(org.committee_user).get(url("detail", org.member)).content.decode()


def test_committee_edit_form_shows_the_full_id_number(org, login):
    page = login(org.committee_user).get(url("edit", org.member)).content.decode()
    assert org.member.id_number in page


# Transfers


def test_transfer_to_a_branch_outside_the_secretarys_scope(org, login):
    client = login(org.secretary)
    form = client.get(url("transfer", org.member)).context["form"]
    assert org.other_branch in form.fields["to_branch"].queryset  # every branch of the organisation
    assert org.branch not in form.fields["to_branch"].queryset
    on = timezone.localdate()
    response = client.post(url("transfer", org.member), {"to_branch": org.other_branch.pk, "on": on, "note": "调动"})
    assert response.url == LIST
    transfer = Transfer.objects.get(member=org.member)
    assert (transfer.from_branch, transfer.to_branch, transfer.created_by) == (
        org.branch,
        org.other_branch,
        org.secretary,
    )
    # The member has left the old secretary's scope …
    assert client.get(url("detail", org.member)).status_code == 404
    assert names(client.get(LIST)) == []
    # … and arrived in the new one, with the history kept.
    page = login(org.outsider).get(url("detail", org.member)).content.decode()
    assert "刑事审判庭党支部 → 办公室党支部" in page
    spans = list(Membership.objects.filter(member=org.member).order_by(F("start").asc(nulls_first=True)))
    assert [(s.branch, s.end) for s in spans] == [(org.branch, on - timedelta(days=1)), (org.other_branch, None)]


def test_transfer_within_the_scope_returns_to_the_member(org, login):
    second = make_unit(OrgUnit.Kind.BRANCH, org.general, code="ZB2", name="民事审判庭党支部")
    response = login(org.general_secretary).post(
        url("transfer", org.member), {"to_branch": second.pk, "on": timezone.localdate()}
    )
    assert response.url == url("detail", org.member)


def test_transfer_errors_show_on_the_field(org, login):
    member = make_member(org.branch, name="新来", since=timezone.localdate())
    response = login(org.secretary).post(
        url("transfer", member), {"to_branch": org.other_branch.pk, "on": timezone.localdate() - timedelta(days=1)}
    )
    assert "转接日期应晚于" in response.context["form"].errors["on"][0]
    assert not Transfer.objects.exists()


# Who sees what


def test_group_leader_reads_their_group(org, login):
    make_member(org.branch, name="组外")
    client = login(org.group_leader)
    response = client.get(LIST)
    assert names(response) == ["张伟"]
    assert not response.context["can_add"]
    detail = client.get(url("detail", org.member))
    assert detail.status_code == 200 and url("edit", org.member) not in detail.content.decode()
    assert client.get(url("edit", org.member)).status_code == 404
    assert client.get(url("transfer", org.member)).status_code == 404
    assert client.get(CREATE).status_code == 404


def test_plain_member_sees_only_their_own_record(org, login):
    other = make_member(org.branch, name="同支部")
    client = login(org.member_user)
    assert client.get(LIST).url == url("detail", org.member)
    assert client.get(url("detail", org.member)).status_code == 200
    assert client.get(url("detail", other)).status_code == 404
    assert client.get(url("edit", org.member)).status_code == 404
    assert client.get(reverse("members:probationary")).status_code == 404


def test_committee_staff_who_are_members_still_see_everyone(org, login):
    me = make_member(org.other_branch, name="党委干部")
    me.user = org.committee_user
    me.save()
    client = login(org.committee_user)
    assert set(names(client.get(LIST))) == {"张伟", "党委干部"}
