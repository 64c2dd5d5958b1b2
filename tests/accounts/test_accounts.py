"""Accounts for everyone: bulk creation (page and command), the username rule, the forced first
change, password resets, roles with their history and scope, and leaving the organisation."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts import rules as account_rules
from accounts import services
from accounts.models import PendingPasswordChange
from branches import rules as branch_rules
from branches.models import OrgUnit, UnitRole
from members import services as member_services
from members.models import Member
from members.selectors import id_number_q, members_of_unit_on
from tests.factories import grant, make_member, member_with_login

User = get_user_model()


def _sign_in(client, username, password) -> bool:
    """Through the login form (django-axes wants a request), as a person does."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def _sheet(content: bytes):
    book = openpyxl.load_workbook(io.BytesIO(content))
    return book, [list(row) for row in book["账号"].iter_rows(values_only=True)]


# --- usernames and passwords (no database) --------------------------------------------------------


def test_usernames_are_pinyin_with_a_number_on_collision():
    assert account_rules.username_base("张伟") == "zhangwei"
    assert account_rules.username_base("吕布") == "lvbu"
    assert account_rules.username_base("欧阳 修") == "ouyangxiu"
    assert account_rules.username_base("阿依古丽·买买提") == "ayigulimaimaiti"
    assert account_rules.username_base("John Smith") == "johnsmith"
    assert account_rules.username_base("·") == account_rules.FALLBACK_USERNAME
    taken = {"zhangwei", "zhangwei2"}
    assert account_rules.unique_username("zhangwei", taken.__contains__) == "zhangwei3"
    assert account_rules.unique_username("liqiang", taken.__contains__) == "liqiang"


def test_one_time_passwords_are_random_and_readable():
    passwords = {account_rules.one_time_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) == account_rules.PASSWORD_LENGTH
        assert not set(password) & set("0O1lI")
        assert any(c.isdigit() for c in password) and any(c.isalpha() for c in password)


def test_role_scope_rules():
    grantable = branch_rules.grantable_roles
    general = [("0001" + "0001", "general_secretary")]
    assert grantable([], is_committee=True, unit_path="0001", unit_kind="committee") == ["committee_staff"]
    assert grantable(general, is_committee=False, unit_path="000100010001", unit_kind="branch") == ["branch_secretary"]
    assert grantable(general, is_committee=False, unit_path="0001000100010001", unit_kind="group") == ["group_leader"]
    # Not their own role, not outside their subtree.
    assert grantable(general, is_committee=False, unit_path="00010001", unit_kind="general_branch") == []
    assert grantable(general, is_committee=False, unit_path="000100020001", unit_kind="branch") == []
    secretary = [("000100010001", "branch_secretary")]
    assert grantable(secretary, is_committee=False, unit_path="000100010001", unit_kind="branch") == []
    assert grantable(secretary, is_committee=False, unit_path="0001000100010001", unit_kind="group") == ["group_leader"]
    leader = [("0001000100010001", "group_leader")]
    assert grantable(leader, is_committee=False, unit_path="0001000100010001", unit_kind="group") == []


def test_role_values_match_the_access_module():
    from branches import access

    assert branch_rules.ROLE_RANK == [
        access.COMMITTEE_STAFF,
        access.GENERAL_SECRETARY,
        access.BRANCH_SECRETARY,
        access.GROUP_LEADER,
    ]
    assert set(branch_rules.ROLE_RANK) == set(UnitRole.Role.values)


# --- creating accounts ----------------------------------------------------------------------------


@pytest.fixture
def roster(org):
    """Members of the branch without a login, two of them named 张伟 like the org's own member."""
    return {
        "zw2": make_member(org.branch, name="张伟", group=org.group),
        "zw3": make_member(org.branch, name="张伟"),
        "lina": make_member(org.branch, name="李娜"),
        "away": make_member(org.other_branch, name="王强"),
    }


def test_the_command_creates_accounts_for_the_subtree_once(org, roster, tmp_path, capsys):
    out = tmp_path / "accounts.xlsx"
    call_command("create_accounts", "--unit", org.general.code, "--out", str(out))
    book, rows = _sheet(out.read_bytes())
    assert book.sheetnames == ["账号"]
    assert rows[0] == ["支部编码", "姓名", "身份证号", "用户名", "初始密码"]
    by_id = {row[2]: row for row in rows[1:]}
    assert set(by_id) == {roster[k].id_number for k in ("zw2", "zw3", "lina")}  # not the other branch's
    usernames = sorted(row[3] for row in rows[1:])
    assert usernames == ["lina", "zhangwei", "zhangwei2"]  # org.member's login is "member_user"
    for id_number, row in by_id.items():
        member = Member.objects.get(id_number_q(id_number))
        assert member.user.username == row[3] and row[0] == org.branch.code
        assert member.user.check_password(row[4])
        assert PendingPasswordChange.objects.filter(user=member.user).exists()
        assert member.user.last_name == member.name
    # The passwords are nowhere but in the file: only a hash is stored.
    assert not User.objects.filter(password__in=[row[4] for row in rows[1:]]).exists()
    assert "开通 3 个账号" in capsys.readouterr().out

    again = tmp_path / "again.xlsx"
    call_command("create_accounts", "--unit", org.general.code, "--out", str(again))
    assert _sheet(again.read_bytes())[1] == [["支部编码", "姓名", "身份证号", "用户名", "初始密码"]]
    assert User.objects.filter(username__startswith="zhangwei").count() == 2


def test_the_command_says_what_is_wrong_in_chinese(org, tmp_path):
    with pytest.raises(CommandError, match="没有编码为“NOPE”的党组织"):
        call_command("create_accounts", "--unit", "NOPE", "--out", str(tmp_path / "a.xlsx"))
    with pytest.raises(CommandError, match="须是 .xlsx"):
        call_command("create_accounts", "--unit", org.branch.code, "--out", str(tmp_path / "a.csv"))


def test_a_secretary_creates_their_branch_accounts_as_a_printable_list(org, roster, login):
    client = login(org.secretary)
    page = client.get(reverse("accounts:create"))
    assert page.status_code == 200 and "李娜" in page.content.decode() and "王强" not in page.content.decode()
    response = client.post(reverse("accounts:create"), {"unit": org.branch.pk, "format": "print"})
    html = response.content.decode()
    assert response.status_code == 200 and "zhangwei" in html and "lina" in html and "王强" not in html
    lina = Member.objects.get(pk=roster["lina"].pk)
    password = html.split("lina")[1].split("初始密码：")[1][:12]
    assert lina.user.check_password(password)
    assert "data-print" in html and "sb-slip" in html
    # The other branch is not the secretary's: 404, and nothing created there.
    assert client.get(reverse("accounts:create"), {"unit": org.other_branch.pk}).status_code == 404
    assert client.post(reverse("accounts:create"), {"unit": org.other_branch.pk, "format": "print"}).status_code == 200
    assert Member.objects.get(pk=roster["away"].pk).user is None


def test_the_committee_downloads_the_spreadsheet_with_formulas_escaped(org, login):
    make_member(org.branch, name="=HYPERLINK(1)")
    response = login(org.committee_user).post(reverse("accounts:create"), {"unit": org.committee.pk, "format": "xlsx"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    book, rows = _sheet(b"".join(response.streaming_content))
    names = [row[1] for row in rows[1:]]
    assert "=HYPERLINK(1)" in names
    cell = next(c for c in book["账号"]["B"] if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"  # text, never a formula


# --- the first login ------------------------------------------------------------------------------


def test_a_one_time_password_must_be_changed_before_anything_else(org, client):
    member = make_member(org.branch, name="李娜")
    [new] = services.accounts_create(members=[member])
    assert _sign_in(client, new.username, new.password)
    for url in (reverse("home"), reverse("pledges:index"), reverse("members:detail", args=[member.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("password_change"), url
    page = client.get(reverse("password_change")).content.decode()
    assert "您正在使用初始密码" in page
    response = client.post(
        reverse("password_change"),
        {"old_password": new.password, "new_password1": "Hongqi-2026-piao", "new_password2": "Hongqi-2026-piao"},
    )
    assert response.status_code == 302
    assert not PendingPasswordChange.objects.filter(user__username=new.username).exists()
    assert client.get(reverse("home")).status_code == 200
    # Logout is always allowed.
    assert client.post(reverse("logout")).status_code == 302


def test_a_member_whose_password_is_reset_changes_it_at_next_login(org, login, client):
    member = make_member(org.branch, name="李娜")
    user = member_with_login(member, "lina")
    response = login(org.secretary).get(reverse("accounts:password_reset", args=[member.pk]))
    assert response.status_code == 200 and "lina" in response.content.decode()
    response = client.post(reverse("accounts:password_reset", args=[member.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    password = html.split("初始密码：")[1][:12]
    user.refresh_from_db()
    assert user.check_password(password) and PendingPasswordChange.objects.filter(user=user).exists()
    client.logout()
    assert _sign_in(client, "lina", password)
    assert client.get(reverse("home")).url == reverse("password_change")


def test_only_managers_of_the_member_reset_passwords(org, login):
    member = make_member(org.branch, name="李娜")
    member_with_login(member, "lina")
    url = reverse("accounts:password_reset", args=[member.pk])
    for user in (org.outsider, org.group_leader, org.member_user):
        assert login(user).get(url).status_code == 404
        assert login(user).post(url).status_code == 404
    assert login(org.committee_user).get(url).status_code == 200
    assert login(org.general_secretary).get(url).status_code == 200


# --- roles ----------------------------------------------------------------------------------------


def test_roles_from_the_command_line_with_history_on_the_unit_page(org, login, capsys):
    member = make_member(org.branch, name="李娜")
    member_with_login(member, "lina")
    call_command("grant_role", "lina", "支部书记", org.branch.code)
    assert UnitRole.objects.filter(user__username="lina", unit=org.branch, role="branch_secretary").exists()
    assert "已授予 lina" in capsys.readouterr().out
    with pytest.raises(CommandError, match="已是"):
        call_command("grant_role", "lina", "支部书记", org.branch.code)
    with pytest.raises(CommandError, match="没有用户名为“nobody”的账号"):
        call_command("grant_role", "nobody", "支部书记", org.branch.code)
    with pytest.raises(CommandError, match="没有“书记”这个角色"):
        call_command("grant_role", "lina", "书记", org.branch.code)
    with pytest.raises(CommandError, match="没有编码为“X”的党组织"):
        call_command("grant_role", "lina", "支部书记", "X")
    with pytest.raises(CommandError, match="只能授予在党小组上"):
        call_command("grant_role", "lina", "党小组长", org.branch.code)
    call_command("revoke_role", "lina", "支部书记", org.branch.code)
    assert not UnitRole.objects.filter(user__username="lina").exists()
    with pytest.raises(CommandError, match="无需撤销"):
        call_command("revoke_role", "lina", "支部书记", org.branch.code)
    page = login(org.committee_user).get(reverse("branches:detail", args=[org.branch.pk])).content.decode()
    assert page.count("李娜（lina）") == 2 and "授予角色" in page and "撤销角色" in page


def test_a_general_secretary_grants_below_and_the_history_says_who(org, login):
    member = make_member(org.branch, name="李娜")
    lina = member_with_login(member, "lina")
    client = login(org.general_secretary)
    page = client.get(reverse("branches:detail", args=[org.branch.pk])).content.decode()
    assert 'value="branch_secretary"' in page and 'value="general_secretary"' not in page
    response = client.post(
        reverse("branches:role_grant", args=[org.branch.pk]), {"role": "branch_secretary", "username": "lina"}
    )
    assert response.status_code == 302
    grant_row = UnitRole.objects.get(user=lina, unit=org.branch)
    record = UnitRole.history.get(id=grant_row.pk, history_type="+")
    assert record.history_user == org.general_secretary
    # Not above or at their own level, not outside their subtree.
    for unit, role in ((org.general, "general_secretary"), (org.committee, "committee_staff")):
        assert (
            client.post(reverse("branches:role_grant", args=[unit.pk]), {"role": role, "username": "lina"}).status_code
            == 404
        )
    assert (
        client.post(
            reverse("branches:role_grant", args=[org.other_branch.pk]), {"role": "branch_secretary", "username": "lina"}
        ).status_code
        == 404
    )
    # Withdraw, with a confirmation page first.
    revoke = reverse("branches:role_revoke", args=[org.branch.pk, grant_row.pk])
    assert "撤销" in client.get(revoke).content.decode()
    assert client.post(revoke).status_code == 302
    assert not UnitRole.objects.filter(user=lina).exists()
    assert UnitRole.history.get(id=grant_row.pk, history_type="-").history_user == org.general_secretary
    history = client.get(reverse("branches:detail", args=[org.branch.pk])).content.decode()
    assert "撤销角色" in history and "授予角色" in history


def test_a_branch_secretary_makes_group_leaders_only(org, login):
    member = make_member(org.branch, name="李娜", group=org.group)
    member_with_login(member, "lina")
    client = login(org.secretary)
    assert 'name="role"' not in client.get(reverse("branches:detail", args=[org.branch.pk])).content.decode()
    assert (
        client.post(
            reverse("branches:role_grant", args=[org.branch.pk]), {"role": "branch_secretary", "username": "lina"}
        ).status_code
        == 404
    )
    response = client.post(
        reverse("branches:role_grant", args=[org.group.pk]), {"role": "group_leader", "username": "lina"}
    )
    assert response.status_code == 302
    assert UnitRole.objects.filter(user__username="lina", unit=org.group, role="group_leader").exists()
    # A secretary cannot take away a role of their own level, nor their own.
    own = UnitRole.objects.get(user=org.secretary, unit=org.branch)
    assert client.post(reverse("branches:role_revoke", args=[org.branch.pk, own.pk])).status_code == 404
    # The group leader grants nothing.
    assert (
        login(org.group_leader)
        .post(reverse("branches:role_grant", args=[org.group.pk]), {"role": "group_leader", "username": "lina"})
        .status_code
        == 404
    )


def test_unknown_usernames_and_wrong_roles_get_a_message(org, login):
    client = login(org.committee_user)
    response = client.post(
        reverse("branches:role_grant", args=[org.branch.pk]),
        {"role": "branch_secretary", "username": "ghost"},
        follow=True,
    )
    assert "没有用户名为“ghost”的账号" in response.content.decode()
    response = client.post(
        reverse("branches:role_grant", args=[org.branch.pk]),
        {"role": "group_leader", "username": "member_user"},
        follow=True,
    )
    assert "不能在" in response.content.decode()


# --- leaving the organisation ---------------------------------------------------------------------


def test_a_member_who_leaves_loses_roles_and_login_and_stops_counting(org, login, client):
    today = date.today()
    member = make_member(org.branch, name="李娜", group=org.group, since=today - timedelta(days=400))
    user = member_with_login(member, "lina")
    grant(user, org.group, UnitRole.Role.GROUP_LEADER)
    assert member in members_of_unit_on(org.branch, today)
    response = login(org.secretary).post(
        reverse("members:leave", args=[member.pk]),
        {"reason": "transferred_out", "on": today.isoformat(), "note": "调往省高院"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    user.refresh_from_db()
    assert member.left_on == today and member.leave_reason == "transferred_out"
    assert not user.is_active
    assert not UnitRole.objects.filter(user=user).exists()
    assert UnitRole.history.filter(user_id=user.pk, history_type="-").get().history_user == org.secretary
    # The span ends the day before: counted yesterday, not today.
    assert member in members_of_unit_on(org.branch, today - timedelta(days=1))
    assert member not in members_of_unit_on(org.branch, today)
    assert member not in members_of_unit_on(org.group, today)
    # Out of the roster's counts and list, still findable, and the record says why.
    page = client.get(reverse("branches:detail", args=[org.branch.pk])).content.decode()
    assert "正式党员 1 人，共 1 人" in page
    assert "李娜" not in client.get(reverse("members:list")).content.decode()
    assert "李娜" in client.get(reverse("members:list"), {"left": "left"}).content.decode()
    detail = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "离开本单位（转出本单位）" in detail and "已停用" in detail
    # No second leaving, no transfer after it, and the login is refused.
    with pytest.raises(Exception, match="已于"):
        member_services.member_leave(member=member, on=today, reason="deceased")
    with pytest.raises(Exception, match="已于"):
        member_services.member_transfer(member=member, to_branch=org.other_branch, on=today)
    client.logout()
    assert not _sign_in(client, "lina", "pass-for-tests-1")


def test_leaving_cannot_predate_the_current_span(org):
    member = make_member(org.branch, name="李娜", since=date(2024, 3, 1))
    with pytest.raises(Exception, match="离开日期应晚于"):
        member_services.member_leave(member=member, on=date(2024, 3, 1), reason="deceased")


def test_rating_counts_leave_out_a_member_who_left(org):
    from activities.pledges import selectors as pledge_selectors
    from core.periods import Period

    year = date.today().year - 1
    member = make_member(org.branch, name="李娜", since=date(year - 1, 1, 1))
    member_services.member_leave(member=member, on=date(year, 7, 1), reason="deceased")
    facts = pledge_selectors.pledge_facts([org.branch.pk], Period.for_year(year))
    months = facts[org.branch.pk].members[member.pk].required_months
    assert len(months) == 6  # January to June: the span ended on 30 June


def test_a_group_leaders_branch_and_the_committee_see_a_departed_member_in_history(org, login):
    member = make_member(org.branch, name="李娜")
    member_services.member_leave(member=member, on=date.today(), reason="other", note="退出")
    assert login(org.committee_user).get(reverse("members:detail", args=[member.pk])).status_code == 200
    assert login(org.outsider).get(reverse("members:leave", args=[member.pk])).status_code == 404
    assert OrgUnit.objects.get(pk=org.branch.pk)


def test_too_many_for_one_request_points_to_the_command_line(org, roster, login, monkeypatch):
    from accounts import views

    monkeypatch.setattr(views, "PER_REQUEST", 2)
    client = login(org.secretary)
    page = client.get(reverse("accounts:create"), {"unit": org.branch.pk}).content.decode()
    assert "create_accounts --unit ZB1" in page and 'name="format"' not in page
    response = client.post(reverse("accounts:create"), {"unit": org.branch.pk, "format": "print"}, follow=True)
    assert "一次开通太多" in response.content.decode()
    assert not Member.objects.filter(branch=org.branch, user__isnull=False).exclude(pk=org.member.pk).exists()
