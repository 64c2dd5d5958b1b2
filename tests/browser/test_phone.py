"""The pages a secretary uses on a phone, at 360–414 px: nothing scrolls sideways but wide tables
inside their own frame, what must be reached is on screen, and touch targets are at least 44 px; and
a meeting logged on a phone with a photo, through a wrong date, loses nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Meeting
from tests.factories import ORIGINAL, log_meeting, make_member

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"

# Buttons, fields, tabs and pager links in the page's main part smaller than 44 × 44 px. Links inside
# running text are exempt (WCAG 2.5.8 allows inline targets); lone links in table cells are not.
SMALL_TARGETS = """
Array.from(document.querySelectorAll(
    'main .btn, main .form-control, main .form-select, main .nav-link, main .page-link, main td > a.small:only-child'))
  .filter(el => el.offsetParent !== null)
  .map(el => [el.getBoundingClientRect(), el])
  .filter(([r, el]) => r.height < 44 || r.width < 44)
  .map(([r, el]) => (el.textContent || el.name || '').trim().slice(0, 12)
    + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))
"""


def phone_pages(org, meeting):
    year = timezone.localdate().year
    return {
        org.secretary: [
            reverse("home"),
            reverse("activities:create") + f"?unit={org.branch.pk}&kind=general_meeting",
            reverse("activities:detail", args=[meeting.pk]),
            reverse("activities:ledger", args=[org.branch.pk]),
            reverse("members:detail", args=[org.member.pk]),
            reverse("pledges:record", args=[org.member.pk]),
            reverse("pledges:index"),
            reverse("pledges:note_grid", args=[org.branch.pk, year]),
        ],
        org.general_secretary: [reverse("home"), reverse("activities:compliance")],
        org.committee_user: [reverse("activities:compliance")],
        org.member_user: [reverse("home"), reverse("pledges:my_record"), reverse("pledges:notes")],
    }


@pytest.fixture
def logged(org):
    """Seven members, a committee secretary, and two submitted records (the second flagged 疑似雷同)."""
    for name in ("王书记", "李组织", "赵宣传", "钱一", "孙二", "周三"):
        make_member(org.branch, name=name, committee_post="书记" if name == "王书记" else "")
    yesterday = timezone.localdate() - timedelta(days=1)
    log_meeting(org.branch, Meeting.Kind.THEME_DAY, yesterday - timedelta(days=20), minutes=ORIGINAL)
    return log_meeting(
        org.branch,
        Meeting.Kind.GENERAL_MEETING,
        yesterday,
        minutes=ORIGINAL,
        place="三楼党员活动室",
        marks={org.member.pk: ("leave", "外出办案")},
    )


def on_screen(page, locator, width) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 414])
def test_the_secretarys_pages_fit_a_phone(org, logged, live_server, page, browser_login, width):
    page.set_viewport_size({"width": width, "height": 800})
    problems = []
    for user, paths in phone_pages(org, logged).items():
        page.context.clear_cookies()
        browser_login(user)
        for path in paths:
            assert page.goto(live_server.url + path).status == 200, path
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                problems.append(f"{user.username} {path}: {scroll} px wide")
            small = page.evaluate(SMALL_TARGETS)
            if small:
                problems.append(f"{user.username} {path}: targets under 44 px: {small[:8]}")
    assert problems == [], "\n".join(problems)

    # Home: every 登记 of the due list is on the screen, without scrolling the table.
    page.context.clear_cookies()
    browser_login(org.secretary)
    links = page.locator(".sb-panel-meetings td a", has_text="登记")
    assert links.count() >= 3
    for index in range(links.count()):
        assert on_screen(page, links.nth(index), width), links.nth(index).get_attribute("href")

    # The form: each member's three choices are buttons across the whole row.
    page.goto(live_server.url + reverse("activities:create") + f"?unit={org.branch.pk}&kind=general_meeting")
    row = page.locator("table.sb-attendance tbody tr").first
    card = page.locator("#attendance").bounding_box()
    choices = [row.locator("label").nth(i).bounding_box() for i in range(3)]
    assert all(box["height"] >= 44 for box in choices)
    assert sum(box["width"] for box in choices) >= 0.9 * card["width"]

    # Compliance: one card per branch, saying what is missing; the wide table is not shown.
    page.context.clear_cookies()
    browser_login(org.general_secretary)
    page.goto(live_server.url + reverse("activities:compliance"))
    expect(page.locator("table.sb-compliance")).to_be_hidden()
    card = page.locator(".sb-compliance-cards .card", has_text=org.branch.name)
    expect(card).to_be_visible()
    expect(card.locator(".list-group-item-danger, .list-group-item-warning").first).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_meeting_logged_on_a_phone_keeps_its_marks_and_photo_through_a_date_error(
    org, logged, live_server, page, browser_login
):
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(org.secretary)
    page.goto(f"{live_server.url}{reverse('activities:create')}?unit={org.branch.pk}&kind=general_meeting")
    members = {name: org.branch.members.get(name=name) for name in ("李组织", "赵宣传", "钱一")}
    page.fill("#id_topic", "学习党的二十届三中全会精神")
    page.fill("#id_minutes", "会议传达学习了全会精神，大家结合审判工作谈了体会。")
    page.click(f"label[for=att-{members['李组织'].pk}-leave]")
    page.fill(f"#reason-{members['李组织'].pk}", "外出办案")
    page.click(f"label[for=att-{members['赵宣传'].pk}-absent]")
    page.fill(f"#reason-{members['赵宣传'].pk}", "未请假")
    page.set_input_files("#id_files", files=[{"name": "会场.jpg", "mimeType": "image/jpeg", "buffer": JPEG}])
    expect(page.locator("#files-chosen")).to_contain_text("会场.jpg")
    # A date in the future (a slip of the thumb): the attendance card reloads and keeps the marks.
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.fill("#id_held_at", f"{tomorrow:%Y-%m-%d}T15:00")
    expect(page.locator(f"#att-{members['李组织'].pk}-leave")).to_be_checked()
    page.click("button[name=submit]")
    expect(page.locator("#id_held_at").locator("xpath=..")).to_contain_text("不能晚于今天")
    assert not Meeting.objects.filter(topic="学习党的二十届三中全会精神").exists()

    # Everything is still there: marks, reasons, text, and the photo (kept aside, not chosen again).
    expect(page.locator(f"#att-{members['李组织'].pk}-leave")).to_be_checked()
    expect(page.locator(f"#att-{members['赵宣传'].pk}-absent")).to_be_checked()
    expect(page.locator(f"#att-{members['钱一'].pk}-present")).to_be_checked()
    expect(page.locator(f"#reason-{members['李组织'].pk}")).to_have_value("外出办案")
    expect(page.locator(f"#reason-{members['赵宣传'].pk}")).to_have_value("未请假")
    expect(page.locator("#id_topic")).to_have_value("学习党的二十届三中全会精神")
    expect(page.locator(".sb-pending")).to_contain_text("会场.jpg")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The date fixed, submitted: one record with the marks and the photo.
    yesterday = timezone.localdate() - timedelta(days=1)
    page.fill("#id_held_at", f"{yesterday:%Y-%m-%d}T15:00")
    expect(page.locator(f"#att-{members['赵宣传'].pk}-absent")).to_be_checked()
    page.click("button[name=submit]")
    page.wait_for_url(f"{live_server.url}/activities/*/")
    meeting = Meeting.objects.get(topic="学习党的二十届三中全会精神")
    assert meeting.status == "submitted"
    marks = {a.member.name: (a.status, a.reason) for a in meeting.attendance.exclude(status="present")}
    assert marks == {"李组织": ("leave", "外出办案"), "赵宣传": ("absent", "未请假")}
    assert list(meeting.attachments.values_list("original_name", flat=True)) == ["会场.jpg"]
    body = page.inner_text("body")
    assert "已提交" in body and "外出办案" in body and "会场.jpg" in body
