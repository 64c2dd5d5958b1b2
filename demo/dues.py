"""Demo dues (called by `seed_demo`): last year and this year up to today's month.

`seed_dues(org)` takes the demo organisation (demo.org.DemoOrg) and writes, through the services:
- both years opened, rounded to the fen; every member's base for both years (在职 by a salary drawn
  from a fixed seed, 离退休 by a pension), one 其他固定额 member, and one raise from July last year;
- every month each member owes paid on time, except in the demo branch (ZB07, the 'shuji' login's):
  a few late payers (补交 around the 10th of the next month), one partial payment, one back payment of
  three months on one day, one 缓交 with its approval, one member unpaid for the last six months (on
  the attention list, 党章第九条), and this month still to collect (try 按月收缴);
- every branch's remittances: each half of last year, and this year's first half once July is over.
Idempotent: a month that has a payment, a base already equal, a remittance or deferral already there
are left alone, so running it again changes nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum

from demo.org import DEMO_BRANCH, RETIREES_BRANCH, DemoOrg
from dues import rules, services
from dues.models import DuesBase, DuesExemption, DuesPayment, DuesYear, Remittance
from dues.rules import Month
from members.models import Member, Membership

SEED = "star-branch-dues-2008"
APPROVED_BY = "刑事审判庭党支部支部委员会"


def _base_for(rng: random.Random, member: Member) -> tuple[str, Decimal]:
    if member.status == Member.Status.RETIRED or member.branch.code == RETIREES_BRANCH:
        return rules.RETIRED, Decimal(rng.randrange(4200, 7800, 10))
    return rules.EMPLOYED, Decimal(rng.randrange(4600, 13800, 10))


def seed_dues(org: DemoOrg) -> None:
    today = org.today
    last_year, year = today.year - 1, today.year
    for y in (last_year, year):
        if not DuesYear.objects.filter(year=y).exists():
            services.dues_year_set(year=y, rounding=rules.FEN, by=None, today=today)
    members = list(Member.objects.select_related("branch").order_by("pk"))
    demo_branch = org.unit(DEMO_BRANCH)
    in_demo = [m for m in members if m.branch_id == demo_branch.pk and m.user_id is None and not m.committee_post]
    # The people of the demo branch's story, by position in the roster (fixed by the roster's seed).
    roles = {}
    for role, member in zip(("lapsed", "late", "late2", "partial", "back", "deferred"), in_demo, strict=False):
        roles[role] = member
    logged_in = next((m for m in members if m.user_id and m.user.username == "dangyuan"), None)
    if logged_in is not None:
        roles["self_late"] = logged_in
    fixed = next((m for m in members if m.branch.code == RETIREES_BRANCH), None)

    _seed_bases(members, last_year, year, fixed, roles.get("partial"), today)
    _seed_deferral(roles.get("deferred"), last_year, today)
    _seed_payments(members, roles, demo_branch.pk, last_year, year, today)
    _seed_remittances(org, last_year, year, today)


def _seed_bases(members, last_year, year, fixed, raised, today) -> None:
    wanted = []
    for member in members:
        rng = random.Random(f"{SEED}-{member.name}-{member.birth_date:%Y%m%d}")
        category, base = _base_for(rng, member)
        if member is fixed:
            category, base = rules.FIXED, Decimal("0.50")
        for y in (last_year, year):
            wanted.append(services.BaseEntry(member, y, 1, category, base))
        if member is raised:
            wanted.append(services.BaseEntry(member, last_year, 7, category, base + Decimal(1500)))
    have = {
        (b.member_id, b.year, b.from_month): (b.category, b.base)
        for b in DuesBase.objects.filter(year__in=(last_year, year))
    }
    missing = [e for e in wanted if have.get((e.member.pk, e.year, e.from_month)) != (e.category, e.base)]
    if missing:
        services.bases_set(entries=missing, by=None, today=today)


def _seed_deferral(member, last_year, today) -> None:
    if member is None or DuesExemption.objects.filter(member=member).exists():
        return
    services.exemption_create(
        member=member,
        kind=rules.DEFERRED,
        first=Month(last_year, 9),
        last=Month(last_year, 11),
        reason="外派援藏，暂缓交纳",
        approved_by=APPROVED_BY,
        approved_on=date(last_year, 8, 28),
        by=None,
        today=today,
    )


def _payment_plan(member, role, month: Month, due: Decimal, current: Month, today: date):
    """(amount, paid_on) for one member-month, or None when the month stays unpaid."""
    last_day = month.last
    if role == "lapsed" and month >= current.shift(-5):
        return None  # six months in a row unpaid, ending this month
    if role == "deferred" and Month(current.year - 1, 9) <= month <= Month(current.year - 1, 11):
        return None  # 缓交, approved
    if role == "back" and current.shift(-9) <= month <= current.shift(-7):
        # Three months missed, paid back together on the 12th of the month after the last of them.
        return due, min(today, current.shift(-6).first + timedelta(days=11))
    if role in ("late", "late2", "self_late") and month.month % (4 if role == "late" else 5) == 2 and month < current:
        return due, min(today, last_day + timedelta(days=10))  # 补交 early next month
    if role == "partial" and month == current.shift(-2):
        return (due / 2).quantize(rules.CENT), last_day
    if month == current:
        return None  # this month is still being collected
    return due, min(today, last_day - timedelta(days=5))


def _seed_payments(members, roles, demo_branch_id, last_year, year, today) -> None:
    current = Month.of(today)
    months = rules.months_between(Month(last_year, 1), current)
    role_of = {m.pk: role for role, m in roles.items()}
    spans: dict[int, list[rules.Span]] = {}
    for member_id, branch_id, start, end in Membership.objects.values_list("member_id", "branch_id", "start", "end"):
        spans.setdefault(member_id, []).append(rules.Span(branch_id, start, end))
    bases: dict[int, list[rules.BaseRow]] = {}
    for row in DuesBase.objects.filter(year__in=(last_year, year)):
        bases.setdefault(row.member_id, []).append(row.as_row())
    paid = set(DuesPayment.objects.filter(month__gte=months[0].first).values_list("member_id", "month").distinct())
    entries = []
    for member in members:
        owed = rules.dues_branches(spans.get(member.pk, []), member.joined_on, months)
        for month, branch_id in owed.items():
            if (member.pk, month.first) in paid:
                continue
            base = rules.base_for(bases.get(member.pk, []), month)
            if base is None:
                continue
            role = role_of.get(member.pk) if branch_id == demo_branch_id else None
            if role is None and month == current and branch_id == demo_branch_id:
                continue  # the demo branch's current month is left for the collection form
            plan = _payment_plan(member, role, month, base.due, current, today)
            if plan is None:
                continue
            amount, paid_on = plan
            entries.append(services.PaymentEntry(member.pk, branch_id, month, amount, max(paid_on, month.first)))
    if entries:
        services.payments_import(entries=entries, by=None, today=today)


def _seed_remittances(org: DemoOrg, last_year, year, today) -> None:
    halves = [(last_year, 1, 6, date(last_year, 7, 10)), (last_year, 7, 12, date(year, 1, 12))]
    if today >= date(year, 7, 10):
        halves.append((year, 1, 6, date(year, 7, 10)))
    for branch in org.branches:
        for y, first, last, on in halves:
            if Remittance.objects.filter(branch=branch, year=y, first_month=first, last_month=last).exists():
                continue
            collected = DuesPayment.objects.filter(
                branch=branch, month__gte=Month(y, first).first, month__lte=Month(y, last).first, paid_on__lte=on
            ).aggregate(total=Sum("amount"))["total"]
            if not collected:
                continue
            services.remittance_create(
                branch=branch,
                year=y,
                first_month=first,
                last_month=last,
                amount=collected,
                remitted_on=on,
                note="演示：半年上缴",
                by=None,
                today=today,
            )
