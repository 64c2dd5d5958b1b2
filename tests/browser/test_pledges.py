"""In Chromium: a member pledges and posts a study note; the secretary rates the pledge at year end."""

import pytest
from django.utils import timezone

from activities.models import Pledge, StudyNote

YEAR = timezone.localdate().year


@pytest.mark.browser
def test_member_pledges_and_writes_a_note_then_secretary_rates(org, live_server, browser_login):
    page = browser_login(org.member_user)
    page.get_by_role("link", name="承诺评议").click()
    page.get_by_role("link", name="作出承诺").click()
    page.fill("#id_content", "全年审结案件不少于120件，无超审限案件")
    page.get_by_role("button", name="保存承诺").click()
    page.get_by_text("承诺已保存").wait_for()
    assert page.get_by_text("全年审结案件不少于120件，无超审限案件").is_visible()

    page.get_by_role("link", name="学习心得").first.click()
    page.get_by_role("link", name="写学习心得").click()
    page.fill("#id_title", "学习党章体会")
    page.fill("#id_body", "对照党章找差距，办好每一件案子。")
    page.set_input_files(
        "#id_attachment", files=[{"name": "手写稿.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}]
    )
    page.get_by_role("button", name="保存").click()
    page.get_by_text("学习心得已保存").wait_for()
    assert page.get_by_role("link", name="手写稿.pdf").is_visible()
    assert StudyNote.objects.get().member == org.member

    page.context.clear_cookies()
    page = browser_login(org.secretary)
    page.goto(f"{live_server.url}/pledges/?year={YEAR}")
    page.get_by_role("row", name=org.branch.name).get_by_role("link", name="评诺").click()
    page.get_by_label("评诺结果").select_option(label="已兑现")
    page.get_by_label("评诺说明").fill("提前完成")
    page.get_by_role("button", name="保存评诺结果").click()
    page.get_by_text("评诺结果已保存").wait_for()
    assert page.get_by_text("兑现率 100%").is_visible()
    pledge = Pledge.objects.get()
    assert (pledge.rating, pledge.rating_note, pledge.rated_by) == ("fulfilled", "提前完成", org.secretary)

    page.goto(f"{live_server.url}/pledges/branch/{org.branch.pk}/{YEAR}/")
    assert page.get_by_text("已兑现").first.is_visible()
