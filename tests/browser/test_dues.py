"""In a real browser: the secretary records this month's collection for the branch in one form, and
the branch's dues ledger shows it."""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from dues.models import DuesPayment
from tests.factories import make_member, open_dues_year, set_dues_base


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_secretary_records_the_months_collection_and_the_ledger_shows_it(org, browser_login, live_server):
    today = timezone.localdate()
    open_dues_year(today.year, today=today)
    zhang = org.member
    li = make_member(org.branch, name="李明")
    wang = make_member(org.branch, name="王芳", status="retired")
    set_dues_base(zhang, today.year, "6000", today=today)  # 90.00
    set_dues_base(li, today.year, "4000", today=today)  # 40.00
    set_dues_base(wang, today.year, "3000", category="retired", today=today)  # 15.00

    page = browser_login(org.secretary)
    page.goto(f"{live_server.url}{reverse('dues:collect', args=[org.branch.pk, today.year, today.month])}")
    # Everyone who owes the month is ticked with what they owe.
    for member, amount in ((zhang, "90.00"), (li, "40.00"), (wang, "15.00")):
        row = page.locator(f'#collect-table tr[data-member="{member.pk}"]')
        assert row.locator("input[type=checkbox]").is_checked()
        assert row.locator("input[type=number]").input_value() == amount
    # The exceptions: 王芳 has not paid, 李明 paid a little more than due.
    page.locator(f'#collect-table tr[data-member="{wang.pk}"] input[type=checkbox]').uncheck()
    page.locator(f'#collect-table tr[data-member="{li.pk}"] input[type=number]').fill("50")
    page.click("#collect-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}{reverse('dues:ledger', args=[org.branch.pk, today.year])}")
    assert "已登记" in page.inner_text("body")

    cell = today.month - 1  # the month's column among the twelve
    zhang_row = page.locator(f'#dues-ledger tr[data-member="{zhang.pk}"] td')
    li_row = page.locator(f'#dues-ledger tr[data-member="{li.pk}"] td')
    wang_row = page.locator(f'#dues-ledger tr[data-member="{wang.pk}"] td')
    assert zhang_row.nth(5 + cell).inner_text().strip() == "90.00"
    assert li_row.nth(5 + cell).inner_text().strip() == "50.00"
    assert wang_row.nth(5 + cell).inner_text().strip() == "—"
    assert page.inner_text("#dues-paid").strip() == "140.00"
    assert {(p.member_id, p.amount) for p in DuesPayment.objects.all()} == {(zhang.pk, D("90.00")), (li.pk, D("50.00"))}
