"""The org tree pages: counts, warnings, 换届, unit detail with history, create / edit / move."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from branches.models import OrgUnit
from branches.selectors import NO_CADRE_WARNING
from tests.factories import make_member, make_unit

TREE = reverse("branches:tree")


@pytest.fixture
def org(org):
    # Units are sorted by code, so adding one may shift its siblings' paths: reload them.
    for unit in (org.committee, org.general, org.branch, org.group, org.other_branch):
        unit.refresh_from_db()
    return org


def detail_url(unit):
    return reverse("branches:detail", args=[unit.pk])


def edit_url(unit):
    return reverse("branches:edit", args=[unit.pk])


def unit_form(unit, **changes):
    """The edit form's fields as a browser would post them, with `changes`."""
    parent = OrgUnit.objects.get_parent(unit)
    data = {
        "parent": parent.pk if parent else "",
        "kind": unit.kind,
        "code": unit.code,
        "name": unit.name,
        "founded_on": unit.founded_on or "",
        "elected_on": unit.elected_on or "",
        "departments": unit.departments,
    }
    data.update(changes)
    return data


def text(response):
    return response.content.decode()


def opened(client):
    """The tree with every unit opened as a user would, level by level: (rows, the HTML of every part)."""
    response = client.get(TREE)
    rows, html = [], [text(response)]

    def walk(level):
        for row in level:
            rows.append(row)
            below = getattr(row, "children", None)
            if below is None and row.unit.numchild:
                part = client.get(reverse("branches:children", args=[row.unit.pk]))
                html.append(text(part))
                below = part.context["rows"]
            walk(below or [])

    walk(response.context["rows"])
    return rows, "".join(html)


def test_tree_shows_full_and_all_counts_rolled_up_the_tree(org, login):
    make_member(org.branch, name="预备一", category="probationary", full_on=None)
    make_member(org.branch, name="正式二", group=org.group)
    make_member(org.other_branch, name="其他")
    client = login(org.committee_user)
    rows = {row.unit.code: row.counts for row in opened(client)[0]}
    # ZB1 holds 张伟 (in the group), 正式二 (in the group) and a probationary member.
    assert (rows["ZB1"].full, rows["ZB1"].all) == (2, 3)
    assert (rows["ZB1-1"].full, rows["ZB1-1"].all) == (2, 2)
    assert (rows["ZZ1"].full, rows["ZZ1"].all) == (2, 3)
    assert (rows["JG"].full, rows["JG"].all) == (3, 4)
    assert 'class="sb-count">2/3<' in opened(client)[1]


def test_tree_warns_about_size_missing_cadre_and_committee(org, login):
    client = login(org.committee_user)
    page = opened(client)[1]
    assert "正式党员1人，不足3人，不宜单独成立党支部" in page
    assert NO_CADRE_WARNING in page
    for n in range(7):
        make_member(org.other_branch, name=f"党员{n}", is_party_cadre=n == 0)
    page = opened(client)[1]
    assert "正式党员7人（7人以上），应设立支部委员会" in page
    # Committee size counts members of the branch holding a committee post.
    for member in org.other_branch.members.all()[:3]:
        member.committee_post = "组织委员"
        member.save()
    rows = {row.unit.code: row for row in opened(client)[0]}
    assert rows["ZB9"].counts.committee == 3
    assert rows["ZB9"].warnings == []


def test_tree_shows_term_end_and_the_90_day_warning(org, login):
    today = timezone.localdate()
    org.branch.elected_on = today.replace(year=today.year - 3) + timedelta(days=30)
    org.branch.save()
    org.other_branch.elected_on = today.replace(year=today.year - 3) - timedelta(days=5)
    org.other_branch.save()
    org.general.elected_on = today.replace(year=today.year - 1)
    org.general.save()
    page = opened(login(org.committee_user))[1]
    assert "还有30天，请做好换届准备" in page
    assert "已超期5天，请尽快换届" in page
    assert f"任期至{org.general.elected_on.replace(year=today.year + 2):%Y-%m-%d}" in page
    assert "未登记换届日期" in page  # the committee has no election date


def test_only_warnings_filter(org, login):
    make_member(org.other_branch, name="甲")
    response = login(org.committee_user).get(TREE, {"warnings": "1"})
    assert all(row.has_warnings for row in response.context["rows"])
    assert "第一党小组" not in text(response)  # groups have no size rule, no term


def test_secretary_sees_own_subtree_only(org, login):
    rows, html = opened(login(org.secretary))
    assert [row.unit.code for row in rows] == ["ZB1", "ZB1-1"]
    assert "办公室党支部" not in html
    # Another subtree's children are a 404, as is every object outside the scope.
    assert login(org.secretary).get(reverse("branches:children", args=[org.other_branch.pk])).status_code == 404


def test_tree_query_count_does_not_grow_with_rows(org, login):
    client = login(org.committee_user)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(TREE).status_code == 200
        return len(ctx.captured_queries)

    make_unit(OrgUnit.Kind.BRANCH, org.committee, name="甲支部")
    few = queries()
    for n in range(8):
        branch = make_unit(OrgUnit.Kind.BRANCH, org.general, name=f"支部{n}")
        make_unit(OrgUnit.Kind.GROUP, branch, name=f"小组{n}")
        make_member(branch)
    assert queries() == few


def test_unit_detail_shows_details_children_committee_and_link_to_roster(org, login):
    make_member(org.branch, name="李书记", committee_post="书记", is_party_cadre=True)
    make_member(org.branch, name="王委员", committee_post="组织委员")
    make_member(org.branch, name="赵副书记", committee_post="副书记")
    org.branch.departments = "刑事审判庭"
    org.branch.save()
    response = login(org.secretary).get(detail_url(org.branch))
    page = text(response)
    assert "刑事审判庭" in page and "ZB1" in page
    assert [m.name for m in response.context["committee_members"]] == ["李书记", "赵副书记", "王委员"]
    assert "第一党小组" in page  # child
    assert f"{reverse('members:list')}?unit={org.branch.pk}" in page
    assert response.context["can_edit"] and response.context["can_add"]


def test_edit_history_names_fields_in_chinese_with_old_and_new(org, login):
    client = login(org.committee_user)
    response = client.post(
        edit_url(org.branch), unit_form(org.branch, name="刑事审判第一庭党支部", departments="刑一庭")
    )
    assert response.status_code == 302
    page = text(client.get(detail_url(org.branch)))
    assert "变更记录" in page
    assert "committee_user" in page
    assert "名称" in page and "刑事审判庭党支部" in page and "刑事审判第一庭党支部" in page
    entry = client.get(detail_url(org.branch)).context["history"][0]
    assert entry.action == "修改"
    assert {(c.label, c.old, c.new) for c in entry.changes} == {
        ("名称", "刑事审判庭党支部", "刑事审判第一庭党支部"),
        ("对应庭室", None, "刑一庭"),
    }


def test_secretary_adds_a_party_group_to_their_branch(org, login):
    client = login(org.secretary)
    form = client.get(reverse("branches:create"), {"parent": org.branch.pk}).context["form"]
    assert [kind for kind, _ in form.fields["kind"].choices if kind] == ["group"]
    assert list(form.fields["parent"].queryset) == [org.branch]
    response = client.post(
        reverse("branches:create"), {"parent": org.branch.pk, "kind": "group", "code": "ZB1-2", "name": "第二党小组"}
    )
    group = OrgUnit.objects.get(code="ZB1-2")
    assert response.url == detail_url(group)
    assert OrgUnit.objects.get_parent(group) == org.branch


def test_service_errors_show_on_the_right_field_in_chinese(org, login):
    client = login(org.committee_user)
    response = client.post(
        reverse("branches:create"), {"parent": org.general.pk, "kind": "group", "code": "X1", "name": "错挂小组"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == ["党小组的上级只能是党支部，不能是党总支"]
    response = client.post(
        reverse("branches:create"), {"parent": org.general.pk, "kind": "branch", "code": "ZB9", "name": "重号支部"}
    )
    assert "code" in response.context["form"].errors
    assert not OrgUnit.objects.filter(name__in=["错挂小组", "重号支部"]).exists()


def test_a_unit_cannot_move_under_its_own_subtree(org, login):
    client = login(org.committee_user)
    form = client.get(edit_url(org.general)).context["form"]
    assert org.branch not in form.fields["parent"].queryset  # not offered
    response = client.post(edit_url(org.general), unit_form(org.general, parent=org.branch.pk))
    assert "parent" in response.context["form"].errors


def test_secretary_edits_own_details_but_cannot_move_it_or_change_its_kind(org, login):
    client = login(org.secretary)
    response = client.post(
        edit_url(org.branch), unit_form(org.branch, name="新名字党支部", parent=org.committee.pk, kind="general_branch")
    )
    assert response.status_code == 302
    org.branch.refresh_from_db()
    assert org.branch.name == "新名字党支部"
    assert org.branch.kind == "branch"
    assert OrgUnit.objects.get_parent(org.branch) == org.general
    form = client.get(edit_url(org.branch)).context["form"]
    assert form.fields["parent"].disabled and form.fields["kind"].disabled


def test_general_secretary_moves_a_group_between_their_branches(org, login):
    second = make_unit(OrgUnit.Kind.BRANCH, org.general, code="ZB2", name="民事审判庭党支部")
    client = login(org.general_secretary)
    response = client.post(edit_url(org.group), unit_form(org.group, parent=second.pk))
    assert response.status_code == 302
    org.group.refresh_from_db()
    assert OrgUnit.objects.get_parent(org.group) == second
    entry = client.get(detail_url(org.group)).context["history"][0]
    assert entry.reason == "上级组织：刑事审判庭党支部 → 民事审判庭党支部"


def test_general_secretary_cannot_move_units_out_of_their_subtree(org, login):
    client = login(org.general_secretary)
    response = client.post(edit_url(org.branch), unit_form(org.branch, parent=org.committee.pk))
    assert "parent" in response.context["form"].errors
    assert OrgUnit.objects.get_parent(org.branch) == org.general


def test_committee_moves_a_branch_directly_under_the_committee(org, login):
    response = login(org.committee_user).post(edit_url(org.branch), unit_form(org.branch, parent=org.committee.pk))
    assert response.status_code == 302
    org.branch.refresh_from_db()
    assert OrgUnit.objects.get_parent(org.branch) == org.committee
    # The group moved with it.
    assert OrgUnit.objects.get_parent(OrgUnit.objects.get(pk=org.group.pk)) == org.branch


@pytest.mark.parametrize("who", ["secretary", "general_secretary", "group_leader"])
def test_nobody_but_the_committee_changes_units_above_or_beside_them(org, login, who):
    client = login(getattr(org, who))
    assert client.get(edit_url(org.committee)).status_code == 404
    assert client.get(edit_url(org.other_branch)).status_code == 404
    assert client.post(edit_url(org.other_branch), unit_form(org.other_branch, name="改")).status_code == 404


def test_group_leader_reads_their_group_only(org, login):
    client = login(org.group_leader)
    response = client.get(TREE)
    assert [row.unit.code for row in response.context["rows"]] == ["ZB1-1"]
    assert not response.context["can_create"]
    assert client.get(detail_url(org.group)).status_code == 200
    assert client.get(detail_url(org.branch)).status_code == 404
    assert client.get(edit_url(org.group)).status_code == 404
    assert client.get(reverse("branches:create")).status_code == 404


def test_empty_tree_tells_the_committee_what_to_do(db, login):
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_superuser=True)
    page = text(login(admin).get(TREE))
    assert "还没有党组织" in page and reverse("branches:create") in page


def test_home_panel_shows_the_users_units_and_what_needs_attention(org, login):
    today = timezone.localdate()
    org.branch.elected_on = today.replace(year=today.year - 3) + timedelta(days=10)
    org.branch.save()
    make_member(
        org.branch,
        name="预备甲",
        category="probationary",
        full_on=None,
        joined_on=today.replace(year=today.year - 1) + timedelta(days=5),
    )
    make_member(org.branch, name="预备乙", category="probationary", full_on=None, joined_on=today)
    response = login(org.secretary).get(reverse("home"))
    template_name, panel = response.context["panels"][0]
    assert template_name == "branches/panel_home.html"
    assert [row.unit for row in panel["own_rows"]] == [org.branch]
    assert [row.unit for row in panel["flagged"]] == [org.branch]
    assert [member.name for member, _ in panel["probation"]] == ["预备甲"]  # 预备乙 is a year away
    page = text(response)
    assert "还有10天，请做好换届准备" in page
    assert "还有5天，请准备转正" in page
    assert NO_CADRE_WARNING in page


def test_home_panel_for_a_plain_member_is_their_own_record(org, login):
    response = login(org.member_user).get(reverse("home"))
    _, panel = response.context["panels"][0]
    assert panel["me"] == org.member and panel["own_rows"] == []
    assert "刑事审判庭党支部" in text(response)  # their own branch, named on their record
    assert "需要关注" not in text(response)


def test_history_diff_compares_values_before_masking_them():
    from core.audit import Change, diff
    from members.idcard import mask

    labels = {"id_number": "身份证号", "phone": "联系电话"}
    old = {"id_number": "110101198001010011", "phone": None}
    new = {"id_number": "110101198502020011", "phone": "139"}
    # Both mask to 1101***********011: compared masked, the change would vanish.
    assert mask(old["id_number"]) == mask(new["id_number"])
    assert diff(old, new, labels, {"id_number": mask}) == [
        Change("身份证号", mask(old["id_number"]), mask(new["id_number"])),
        Change("联系电话", None, "139"),
    ]
    assert diff(None, {"id_number": None, "phone": "139"}, labels) == [Change("联系电话", None, "139")]
