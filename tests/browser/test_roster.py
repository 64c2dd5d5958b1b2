"""In real Chromium: a branch secretary adds a member through the form and finds them by searching;
the pages a secretary uses fit a phone's width."""

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from members import idcard
from members.models import Member
from tests.factories import make_member

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args):
    # A Chinese browser: dates in the date pickers read 年/月/日 as users see them.
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def org(org):
    # Units are sorted by code, so adding one may shift its siblings' paths: reload them.
    for unit in (org.committee, org.general, org.branch, org.group, org.other_branch):
        unit.refresh_from_db()
    return org


def test_secretary_adds_a_member_and_finds_them_by_search(org, live_server, browser_login):
    page = browser_login(org.secretary)
    page.get_by_role("button", name="党员").click()
    page.get_by_role("link", name="添加党员").click()
    page.wait_for_url(f"{live_server.url}{reverse('members:create')}")
    page.fill("#id_name", "欧阳晓明")
    page.select_option("#id_gender", "男")
    page.fill("#id_birth_date", "1988-09-17")
    page.fill("#id_id_number", idcard.make_id_number("110105", date(1988, 9, 17), 31))
    page.fill("#id_phone", "13512345678")
    page.select_option("#id_branch", str(org.branch.pk))
    # Choosing the branch reloads its party groups (htmx).
    page.wait_for_selector(f"#id_group option[value='{org.group.pk}']", state="attached")
    page.select_option("#id_group", str(org.group.pk))
    page.fill("#id_department", "刑事审判庭")
    page.fill("#id_joined_on", "2012-07-01")
    page.fill("#id_full_on", "2013-07-01")
    page.get_by_role("button", name="保存").click()
    member = None
    page.wait_for_url(lambda url: "/members/" in url and url.rstrip("/").split("/")[-1].isdigit())
    member = Member.objects.get(name="欧阳晓明")
    assert page.url.endswith(reverse("members:detail", args=[member.pk]))
    assert "已添加党员欧阳晓明" in page.content()

    page.goto(f"{live_server.url}{reverse('members:list')}")
    page.fill("#id_q", "欧阳")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(lambda url: "q=" in url)
    rows = page.locator("table.sb-roster tbody tr")
    assert rows.count() == 1
    assert "欧阳晓明" in rows.first.inner_text()
    assert member.masked_id_number in rows.first.inner_text()


def test_a_bad_id_number_shows_its_error_under_the_field(org, live_server, browser_login):
    page = browser_login(org.secretary)
    page.goto(f"{live_server.url}{reverse('members:create')}")
    page.fill("#id_name", "错号")
    page.fill("#id_birth_date", "1988-09-17")
    page.fill("#id_id_number", "110105198809170310")
    page.select_option("#id_branch", str(org.branch.pk))
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("#id_id_number.is-invalid")
    assert "身份证号校验位错误" in page.locator("#id_id_number").locator("xpath=..").inner_text()


PHONE = {"width": 390, "height": 844}


def test_secretary_pages_fit_a_phone(org, live_server, browser_login, tmp_path):
    today = timezone.localdate()
    org.branch.elected_on = today.replace(year=today.year - 3) + timedelta(days=40)
    org.branch.departments = "刑事审判庭、刑事审判第二庭"
    org.branch.save()
    for n, name in enumerate(["李明", "王芳", "赵建国", "孙丽娜", "周志强", "吴晓燕", "郑海涛", "冯雪"]):
        make_member(
            org.branch,
            name=name,
            group=org.group if n % 2 else None,
            department="刑事审判庭",
            post="审判员",
            phone=f"1391234{n:04d}",
            committee_post=["书记", "副书记", "组织委员", "", "", "", "", ""][n],
            category="probationary" if n == 7 else "full",
            full_on=None if n == 7 else date(2006, 7, 1),
            joined_on=today.replace(year=today.year - 1) + timedelta(days=12) if n == 7 else date(2005, 7, 1),
        )
    org.member.phone = "13800001111"
    org.member.save()
    out = Path(os.environ.get("SB_SCREENSHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    page = browser_login(org.secretary)
    page.set_viewport_size(PHONE)
    pages = {
        "home": reverse("home"),
        "tree": reverse("branches:tree"),
        "unit": reverse("branches:detail", args=[org.branch.pk]),
        "roster": reverse("members:list"),
        "member": reverse("members:detail", args=[org.member.pk]),
        "member_form": reverse("members:create"),
        "probationary": reverse("members:probationary"),
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        page.screenshot(path=str(out / f"{name}-390.png"), full_page=True)
        # Wide tables scroll inside their .table-responsive box; the page itself must not.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than the phone"
        assert page.locator(".navbar-toggler").is_visible()
    # On a phone the navigation folds behind the toggler and opens on a tap.
    page.goto(f"{live_server.url}{reverse('home')}")
    page.locator(".navbar-toggler").click()
    page.locator("#mainnav.show").wait_for()
    page.get_by_role("button", name="党员").click()
    page.get_by_role("link", name="添加党员").wait_for(state="visible")
    page.screenshot(path=str(out / "nav-open-390.png"))
