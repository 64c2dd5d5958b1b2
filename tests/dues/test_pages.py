"""The dues pages: who reaches what (another branch's dues are a 404; a member sees only their own),
and what each form writes."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from dues.models import DuesBase, DuesExemption, DuesPayment, DuesYear, Remittance
from tests.factories import UserFactory, make_member, member_with_login

from .conftest import YEAR


def ledger_url(branch, year=YEAR):
    return reverse("dues:ledger", args=[branch.pk, year])


# --- who reaches what --------------------------------------------------------------------------------


def test_another_branchs_dues_are_404(dues_org, login):
    o = dues_org.org
    client = login(o.outsider)
    urls = [
        ledger_url(o.branch),
        reverse("dues:collect", args=[o.branch.pk, YEAR, 12]),
        reverse("dues:bases", args=[o.branch.pk, YEAR]),
        reverse("dues:remittances", args=[o.branch.pk, YEAR]),
        reverse("dues:member", args=[dues_org.late.pk, YEAR]),
        reverse("dues:payment_delete", args=[DuesPayment.objects.filter(member=dues_org.late).first().pk]),
        reverse("dues:base_delete", args=[DuesBase.objects.get(member=dues_org.late).pk]),
    ]
    before = DuesPayment.objects.count(), DuesBase.objects.count()
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"action": "payment", "payment-month": 1, "payment-amount": "1"}).status_code == 404
    assert (DuesPayment.objects.count(), DuesBase.objects.count()) == before
    # The outsider's own branch is theirs: the member who moved there shows, with that branch's months.
    page = client.get(ledger_url(o.other_branch)).content.decode()
    assert "调动" in page and "迟交" not in page


def test_the_overview_shows_only_the_users_branches(dues_org, login):
    o = dues_org.org
    committee = login(o.committee_user).get(reverse("dues:overview"), {"year": YEAR}).content.decode()
    assert "刑事审判庭党支部" in committee and "办公室党支部" in committee
    secretary = login(o.general_secretary).get(reverse("dues:overview"), {"year": YEAR}).content.decode()
    assert "刑事审判庭党支部" in secretary and "办公室党支部" not in secretary
    assert login(o.group_leader).get(reverse("dues:overview")).status_code == 404
    assert login(o.member_user).get(reverse("dues:overview")).status_code == 404
    assert login(o.committee_user).get(reverse("dues:overview"), {"year": "x"}).status_code == 404


def test_a_member_sees_only_their_own_dues(dues_org, login):
    o = dues_org.org
    client = login(o.member_user)
    own = client.get(reverse("dues:member", args=[o.member.pk, YEAR]))
    assert own.status_code == 200
    page = own.content.decode()
    assert "1,080.00" in page or "1080.00" in page
    assert 'name="action"' not in page  # read-only for the member
    assert client.post(reverse("dues:member", args=[o.member.pk, YEAR]), {"action": "payment"}).status_code == 404
    assert client.get(reverse("dues:member", args=[dues_org.late.pk, YEAR])).status_code == 404
    assert client.get(ledger_url(o.branch)).status_code == 404
    payment = DuesPayment.objects.filter(member=o.member).first()
    assert client.get(reverse("dues:payment_delete", args=[payment.pk])).status_code == 404
    # 党费 in the navigation leads a member to their record, where this year's dues are.
    assert client.get(reverse("dues:index")).url == reverse("pledges:record", args=[o.member.pk]) + "#record-dues"
    record = client.get(reverse("pledges:record", args=[o.member.pk])).content.decode()
    assert (
        'id="record-dues"' in record and reverse("dues:member", args=[o.member.pk, timezone.localdate().year]) in record
    )


def test_the_branchs_organisation_officer_keeps_its_dues(dues_org, login):
    o = dues_org.org
    officer = make_member(o.branch, name="组织委员甲", committee_post="组织委员")
    user = member_with_login(officer, "zuzhiweiyuan")
    client = login(user)
    assert client.get(reverse("dues:index")).url == ledger_url(o.branch, timezone.localdate().year)
    assert client.get(ledger_url(o.branch)).status_code == 200
    assert client.get(reverse("dues:collect", args=[o.branch.pk, YEAR, 12])).status_code == 200
    assert client.get(ledger_url(o.other_branch)).status_code == 404
    # The post is what grants it: without it, the same login sees only its own dues.
    officer.committee_post = "宣传委员"
    officer.save()
    assert login(user).get(ledger_url(o.branch)).status_code == 404


def test_the_ledger_shows_arrears_and_the_attention_list(dues_org, login):
    page = login(dues_org.org.secretary).get(ledger_url(dues_org.org.branch)).content.decode()
    assert 'id="dues-attention"' in page and "欠费" in page and "党章第九条" in page
    assert "css/dues.css" in page  # the print stylesheet


# --- forms -------------------------------------------------------------------------------------------


def test_the_months_collection_in_one_form(dues_org, login):
    o = dues_org.org
    client = login(o.secretary)
    url = reverse("dues:collect", args=[o.branch.pk, YEAR, 12])
    page = client.get(url).content.decode()
    # 欠费 owes December and is ticked with its amount; the others have paid December already.
    assert 'value="25.00"' in page
    members = {dues_org.lapsed.pk: ("on", "25.00")}
    data = {"form-TOTAL_FORMS": 0, "form-INITIAL_FORMS": 0, "paid_on": "2026-01-05"}
    lines = _lines(page)
    data["form-TOTAL_FORMS"] = data["form-INITIAL_FORMS"] = len(lines)
    for index, member_id in enumerate(lines):
        data[f"form-{index}-member"] = member_id
        if member_id in members:
            data[f"form-{index}-paid"], data[f"form-{index}-amount"] = members[member_id]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    payment = DuesPayment.objects.get(member=dues_org.lapsed, month=date(YEAR, 12, 1))
    assert payment.amount == D("25.00") and payment.paid_on == date(2026, 1, 5)
    assert payment.source == DuesPayment.Source.COLLECTION and payment.recorded_by == o.secretary


def test_the_collection_is_all_or_nothing(dues_org, login):
    o = dues_org.org
    client = login(o.secretary)
    url = reverse("dues:collect", args=[o.branch.pk, YEAR, 11])
    lines = _lines(client.get(url).content.decode())
    data = {"form-TOTAL_FORMS": len(lines), "form-INITIAL_FORMS": len(lines), "paid_on": "2026-01-05"}
    for index, member_id in enumerate(lines):
        data[f"form-{index}-member"] = member_id
        data[f"form-{index}-paid"] = "on"
        data[f"form-{index}-amount"] = "" if member_id == dues_org.lapsed.pk else "10"
    before = DuesPayment.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200 and "请填写实交金额" in response.content.decode()
    data[f"form-{lines.index(dues_org.lapsed.pk)}-amount"] = "25"
    data["paid_on"] = (timezone.localdate().replace(day=1) + timezone.timedelta(days=40)).isoformat()
    response = client.post(url, data)
    assert response.status_code == 200 and "晚于今天" in response.content.decode()
    assert DuesPayment.objects.count() == before


def _lines(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'name="form-\d+-member" value="(\d+)"', page)]


def test_a_back_payment_and_a_mid_year_base_on_the_members_page(dues_org, login):
    o = dues_org.org
    client = login(o.secretary)
    url = reverse("dues:member", args=[dues_org.late.pk, YEAR])
    response = client.post(
        url,
        {"action": "payment", "payment-month": 3, "payment-amount": "10.00", "payment-paid_on": "2026-01-10"},
    )
    assert response.status_code == 302
    back = DuesPayment.objects.get(member=dues_org.late, month=date(YEAR, 3, 1), amount=D("10.00"))
    assert back.is_back_payment
    response = client.post(
        url, {"action": "base", "base-from_month": 10, "base-category": "employed", "base-base": "9000"}
    )
    assert response.status_code == 302
    assert DuesBase.objects.get(member=dues_org.late, year=YEAR, from_month=10).monthly_due == D("135.00")
    # A month before the member joined: the message says why, on the form.
    url = reverse("dues:member", args=[dues_org.newcomer.pk, YEAR])
    page = client.post(
        url, {"action": "payment", "payment-month": 8, "payment-amount": "0.20", "payment-paid_on": "2025-08-10"}
    ).content.decode()
    assert "新党员于2025-09-15入党，2025-08不需要交纳党费" in page


def test_an_approved_deferral_is_recorded_with_its_approval(dues_org, login):
    client = login(dues_org.org.secretary)
    url = reverse("dues:member", args=[dues_org.lapsed.pk, YEAR])
    response = client.post(
        url,
        {
            "action": "exemption",
            "exemption-kind": "deferred",
            "exemption-first_month": 9,
            "exemption-last_month": 9,
            "exemption-reason": "住院治疗",
            "exemption-approved_by": "支部委员会",
            "exemption-approved_on": "2025-09-05",
        },
    )
    assert response.status_code == 302
    deferral = DuesExemption.objects.get(member=dues_org.lapsed)
    assert deferral.approved_by == "支部委员会" and deferral.approved_on == date(2025, 9, 5)
    page = client.get(ledger_url(dues_org.org.branch)).content.decode()
    assert 'id="dues-attention"' not in page  # September's approved reason ends the run: 3 months now


def test_bases_for_the_branch_in_one_form(dues_org, login):
    o = dues_org.org
    newcomer = make_member(o.branch, name="新调入")
    client = login(o.secretary)
    url = reverse("dues:bases", args=[o.branch.pk, YEAR])
    page = client.get(url).content.decode()
    members = [int(pk) for pk in re.findall(r'name="form-\d+-member" value="(\d+)"', page)]
    data = {"form-TOTAL_FORMS": len(members), "form-INITIAL_FORMS": len(members)}
    for index, pk in enumerate(members):
        data[f"form-{index}-member"] = pk
        if pk == newcomer.pk:
            data[f"form-{index}-category"], data[f"form-{index}-base"] = "fixed", "3"  # out of range
    response = client.post(url, data)
    assert "新调入：其他固定额每月交纳金额应在0.20–1.00元之间，不能是3.00元" in response.content.decode()
    data[f"form-{members.index(newcomer.pk)}-base"] = "0.50"
    # A list that is not the branch's (a member joined meanwhile, a damaged form): refused, not saved.
    for total in (len(members) - 1, len(members) + 1, 10**20):
        response = client.post(url, {**data, "form-TOTAL_FORMS": total})
        assert response.status_code == 200
        assert "提交的名单与本支部党员名单不一致" in response.content.decode()
    assert not DuesBase.objects.filter(member=newcomer).exists()
    assert client.post(url, data).status_code == 302
    assert DuesBase.objects.get(member=newcomer).monthly_due == D("0.50")


def test_remittances_and_their_deletion(dues_org, login):
    o = dues_org.org
    client = login(o.secretary)
    url = reverse("dues:remittances", args=[o.branch.pk, YEAR])
    data = {"first_month": 1, "last_month": 6, "amount": "900.00", "remitted_on": "2025-07-08", "note": "上半年"}
    assert client.post(url, data).status_code == 302
    remittance = Remittance.objects.get()
    page = client.get(url).content.decode()
    assert "900.00" in page
    delete = reverse("dues:remittance_delete", args=[remittance.pk])
    assert client.get(delete).status_code == 200 and Remittance.objects.exists()
    assert login(o.outsider).post(delete).status_code == 404 and Remittance.objects.exists()
    assert login(o.secretary).post(delete).status_code == 302 and not Remittance.objects.exists()


def test_the_committee_chooses_a_years_rounding(dues_org, login):
    o = dues_org.org
    assert login(o.secretary).get(reverse("dues:years")).status_code == 404
    client = login(o.committee_user)
    assert client.post(reverse("dues:years"), {"year": YEAR, "rounding": "yuan"}).status_code == 302
    assert DuesYear.objects.get(year=YEAR).rounding == "yuan"
    # 迟交's 4,000 × 1 % = 40 either way; 欠费's 5,000 × 0.5 % = 25 stays 25; a student's 0.20 is never rounded.
    assert DuesBase.objects.get(member=dues_org.newcomer).monthly_due == D("0.20")
    base = DuesBase.objects.get(member=dues_org.steady)
    base.base = D("6010")  # as if set before: 90.15, now to the yuan
    base.save()
    client.post(reverse("dues:years"), {"year": YEAR, "rounding": "fen"})
    assert DuesBase.objects.get(member=dues_org.steady).monthly_due == D("90.15")
    client.post(reverse("dues:years"), {"year": YEAR, "rounding": "yuan"})
    assert DuesBase.objects.get(member=dues_org.steady).monthly_due == D("90.00")


@pytest.mark.parametrize("who", ["secretary", "committee_user"])
def test_the_home_panel_counts_the_attention_list(dues_org, login, who):
    # The fixture keeps 2025 only: by now this year's months have no base, so nobody has paid them.
    page = login(getattr(dues_org.org, who)).get(reverse("home")).content.decode()
    assert 'id="dues-panel"' in page and "名党员连续六个月以上未交纳党费" in page


def test_the_home_panel_tells_a_member_what_is_unpaid(dues_org, login):
    page = login(dues_org.org.member_user).get(reverse("home")).content.decode()
    assert 'id="dues-panel"' in page and "个月的党费尚未交清" in page


def test_the_navigation_leads_each_role_to_dues(dues_org, login):
    index = f'href="{reverse("dues:index")}"'
    member = login(dues_org.org.member_user).get(reverse("home")).content.decode()
    assert index in member and "nav-link" in member.split(index)[0][-60:]  # on the bar itself
    secretary = login(dues_org.org.secretary).get(reverse("home")).content.decode()
    assert index in secretary and "dropdown-item" in secretary.split(index)[0][-60:]  # under 党员


def test_nobody_without_a_role_or_record_reaches_dues(db, login):
    client = login(UserFactory())
    assert client.get(reverse("dues:index")).status_code == 404
    assert client.get(reverse("dues:import")).status_code == 404


def test_the_home_panel_links_to_a_large_attention_list_without_counting_it(dues_org, login, monkeypatch):
    monkeypatch.setattr("dues.views.home.HOME_COUNT_LIMIT", 1)  # the committee keeps two branches here
    page = login(dues_org.org.committee_user).get(reverse("home")).content.decode()
    assert "关注名单：连续六个月以上未交纳党费的党员" in page and "名党员连续六个月以上" not in page
    page = login(dues_org.org.secretary).get(reverse("home")).content.decode()
    assert "名党员连续六个月以上未交纳党费" in page
