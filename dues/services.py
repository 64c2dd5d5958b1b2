"""Writes to the dues ledger: the year's rounding, bases, payments (one by one or a month's
collection at once), approved 免交/缓交, remittances. Each checks the rules and writes in one
transaction; a list of changes is written whole or not at all."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.access import Scope
from branches.models import OrgUnit
from members.models import Member, Membership

from . import rules
from .models import DuesBase, DuesExemption, DuesPayment, DuesYear, Remittance
from .rules import Month

MIN_YEAR = rules.MIN_YEAR


# --- years ---------------------------------------------------------------------------------------


def first_year() -> int | None:
    return DuesYear.objects.aggregate(first=Min("year"))["first"]


def year_error(year: int, today: date, first: int | None | bool = False) -> str | None:
    """Why dues cannot be kept for `year` (None: they can); see rules.year_kept. `first`: the
    ledger's first year when the caller has it already."""
    if first is False:
        first = first_year()
    if rules.year_kept(year, first, today):
        return None
    if not MIN_YEAR <= year <= today.year + 1:
        return _("年度须在 %(first)s–%(last)s 之间") % {"first": MIN_YEAR, "last": today.year + 1}
    return _("%(year)s年度不在党费台账范围内；补录往年党费，请先由机关党委开设该年度") % {"year": year}


def _ensure_year(year: int, today: date, first: int | None | bool = False) -> DuesYear:
    error = year_error(year, today, first)
    if error:
        raise ValidationError(error)
    return DuesYear.objects.get_or_create(year=year)[0]


@transaction.atomic
def dues_year_set(*, year: int, rounding: str, by, today: date | None = None) -> DuesYear:
    """The committee opens a year of the ledger and chooses how its amounts are rounded. A change of
    rounding recomputes every base of the year, so amounts already shown follow it."""
    today = today or timezone.localdate()
    if not MIN_YEAR <= year <= today.year + 1:
        raise ValidationError(
            {"year": _("年度须在 %(first)s–%(last)s 之间") % {"first": MIN_YEAR, "last": today.year + 1}}
        )
    if rounding not in rules.ROUNDING_LABELS:
        raise ValidationError({"rounding": _("请选择取整方式")})
    setting, _created = DuesYear.objects.select_for_update().get_or_create(year=year, defaults={"rounding": rounding})
    if setting.rounding != rounding or _created:
        setting.rounding = rounding
        setting.updated_by = by
        setting.save()
        changed = []
        for base in DuesBase.objects.filter(year=year).select_for_update():
            due = rules.monthly_due(base.category, base.base, rounding)
            if due != base.monthly_due:
                base.monthly_due = due
                changed.append(base)
        DuesBase.objects.bulk_update(changed, ["monthly_due"], batch_size=1000)
    return setting


# --- where a month is owed -------------------------------------------------------------------------


def _spans(member_ids) -> dict[int, list[rules.Span]]:
    spans = defaultdict(list)
    rows = Membership.objects.filter(member_id__in=list(member_ids)).values_list(
        "member_id", "branch_id", "start", "end"
    )
    for member_id, branch_id, start, end in rows:
        spans[member_id].append(rules.Span(branch_id, start, end))
    return spans


def owed_branch_id(member: Member, month: Month, spans: list[rules.Span] | None = None) -> int | None:
    """The branch `member` owes `month` to (rules.dues_branches), or None if they owe it nowhere."""
    if spans is None:
        spans = _spans([member.pk])[member.pk]
    return rules.dues_branches(spans, member.joined_on, [month]).get(month)


def _month_error(
    member: Member, month: Month, today: date, scope: Scope | None, spans: list[rules.Span] | None = None
) -> tuple[int | None, str | None]:
    """The branch the month is paid to, or why nothing can be recorded for it."""
    if month > Month(today.year, 12):
        return None, _("%(month)s 还没到，只能预交本年度的党费") % {"month": month}
    branch_id = owed_branch_id(member, month, spans)
    if branch_id is None:
        if member.joined_on is not None and member.joined_on > month.last:
            return None, _("%(name)s于%(day)s入党，%(month)s不需要交纳党费") % {
                "name": member.name,
                "day": f"{member.joined_on:%Y-%m-%d}",
                "month": month,
            }
        return None, _("%(name)s在%(month)s不属于任何党支部（早于建档或已离开）") % {
            "name": member.name,
            "month": month,
        }
    if scope is not None and not scope.can_manage(OrgUnit.objects.only("path").get(pk=branch_id)):
        return None, _("%(name)s的%(month)s党费应交给其他党支部，不在您的管理范围内") % {
            "name": member.name,
            "month": month,
        }
    return branch_id, None


# --- bases ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BaseEntry:
    member: Member
    year: int
    from_month: int
    category: str
    base: Decimal | None


def _base_errors(entry: BaseEntry, today: date, first: int | None | bool = False) -> dict[str, str]:
    errors = {}
    error = year_error(entry.year, today, first)
    if error:
        errors["year"] = error
    if not 1 <= entry.from_month <= 12:
        errors["from_month"] = _("起始月份须为1–12")
    # The rules' own messages: Chinese, like every pure rule module's (README, Language).
    for message in rules.base_errors(entry.category, entry.base):
        errors["base" if entry.category in rules.CATEGORY_LABELS else "category"] = message
    return errors


def _write_base(entry: BaseEntry, by, rounding: str) -> DuesBase:
    row, _created = DuesBase.objects.update_or_create(
        member=entry.member,
        year=entry.year,
        from_month=entry.from_month,
        defaults={
            "category": entry.category,
            "base": entry.base,
            "rate": rules.rate(entry.category, entry.base),
            "monthly_due": rules.monthly_due(entry.category, entry.base, rounding),
            "set_by": by,
        },
    )
    return row


@transaction.atomic
def base_set(
    *, member: Member, year: int, from_month: int, category: str, base: Decimal | None, by, today: date | None = None
) -> DuesBase:
    """Set a member's base for a year from a month on (a change mid-year is a row from that month)."""
    today = today or timezone.localdate()
    entry = BaseEntry(member, year, from_month, category, base)
    first = first_year()
    errors = _base_errors(entry, today, first)
    if errors:
        raise ValidationError(errors)
    setting = _ensure_year(year, today, first)
    return _write_base(entry, by, setting.rounding)


@transaction.atomic
def bases_set(*, entries: list[BaseEntry], by, today: date | None = None) -> int:
    """Many bases at once (the bases form of a branch, the import): all of them or none.

    Errors are raised as one ValidationError whose messages name each member."""
    today = today or timezone.localdate()
    problems = []
    first = first_year()
    for entry in entries:
        for message in _base_errors(entry, today, first).values():
            problems.append(_("%(name)s：%(error)s") % {"name": entry.member.name, "error": message})
    if problems:
        raise ValidationError(problems)
    roundings = {year: _ensure_year(year, today, first).rounding for year in {e.year for e in entries}}
    for entry in entries:
        _write_base(entry, by, roundings[entry.year])
    return len(entries)


@transaction.atomic
def base_delete(*, base: DuesBase) -> None:
    base.delete()


# --- payments ------------------------------------------------------------------------------------


def _payment_checks(
    member: Member,
    month: Month,
    amount,
    paid_on,
    today: date,
    scope: Scope | None,
    first: int | None | bool = False,
    spans: list[rules.Span] | None = None,
) -> tuple[int | None, dict[str, str]]:
    errors = dict(rules.payment_errors(amount, paid_on, today))
    error = year_error(month.year, today, first)
    if error:
        errors["month"] = error
        return None, errors
    branch_id, error = _month_error(member, month, today, scope, spans)
    if error:
        errors["month"] = error
    return branch_id, errors


@transaction.atomic
def payment_record(
    *,
    member: Member,
    month: Month,
    amount: Decimal,
    paid_on: date,
    by,
    note: str = "",
    scope: Scope | None = None,
    source: str = DuesPayment.Source.FORM,
    today: date | None = None,
) -> DuesPayment:
    """Record one payment for one month: on time, partial, more than due, or a back payment (补交)
    dated when it was really paid. `scope` (the recorder's dues scope) must manage the branch the
    month is owed to; None for the command line."""
    today = today or timezone.localdate()
    first = first_year()
    branch_id, errors = _payment_checks(member, month, amount, paid_on, today, scope, first)
    if errors:
        raise ValidationError(errors)
    assert branch_id is not None  # _month_error gives a branch or an error
    _ensure_year(month.year, today, first)
    return DuesPayment.objects.create(
        member=member,
        branch_id=branch_id,
        month=month.first,
        amount=amount,
        paid_on=paid_on,
        note=(note or "").strip()[:200],
        source=source,
        recorded_by=by,
    )


@transaction.atomic
def collection_record(
    *,
    branch: OrgUnit,
    month: Month,
    paid_on: date,
    entries: list[tuple[Member, Decimal]],
    by,
    scope: Scope | None = None,
    today: date | None = None,
) -> list[DuesPayment]:
    """A month's collection for many members in one go: all recorded, or none (every problem named)."""
    today = today or timezone.localdate()
    if not entries:
        raise ValidationError(_("没有勾选任何党员"))
    if scope is not None and not scope.can_manage(branch):
        raise ValidationError(_("您不能登记该党支部的党费"))
    first = first_year()
    spans = _spans(member.pk for member, _amount in entries)
    problems = []
    rows = []
    for member, amount in entries:
        # The branch was checked against the scope above: each month must be owed to it.
        branch_id, errors = _payment_checks(member, month, amount, paid_on, today, None, first, spans[member.pk])
        if not errors and branch_id != branch.pk:
            errors["month"] = _("%(name)s的%(month)s党费不交给本支部") % {"name": member.name, "month": month}
        if "paid_on" in errors:
            raise ValidationError({"paid_on": errors["paid_on"]})
        for message in errors.values():
            problems.append(_("%(name)s：%(error)s") % {"name": member.name, "error": message})
        rows.append((member, amount))
    if problems:
        raise ValidationError(problems)
    _ensure_year(month.year, today, first)
    return DuesPayment.objects.bulk_create(
        [
            DuesPayment(
                member=member,
                branch=branch,
                month=month.first,
                amount=amount,
                paid_on=paid_on,
                source=DuesPayment.Source.COLLECTION,
                recorded_by=by,
            )
            for member, amount in rows
        ]
    )


@dataclass(frozen=True)
class PaymentEntry:
    member_id: int
    branch_id: int  # the branch the month is owed to, found by the import with rules.dues_branches
    month: Month
    amount: Decimal
    paid_on: date


@transaction.atomic
def payments_import(*, entries: list[PaymentEntry], by, today: date | None = None) -> int:
    """Payments checked by the import (dues.workbook.validate: members, months, branches and scope,
    with the same rules as payment_record, for the whole file in a few queries), written in bulk."""
    today = today or timezone.localdate()
    first = first_year()
    for entry in entries:
        errors = rules.payment_errors(entry.amount, entry.paid_on, today)
        error = year_error(entry.month.year, today, first)
        if errors or error:
            raise ValidationError([*errors.values(), *([error] if error else [])])
    for year in {e.month.year for e in entries}:
        DuesYear.objects.get_or_create(year=year)
    DuesPayment.objects.bulk_create(
        [
            DuesPayment(
                member_id=e.member_id,
                branch_id=e.branch_id,
                month=e.month.first,
                amount=e.amount,
                paid_on=e.paid_on,
                source=DuesPayment.Source.IMPORT,
                recorded_by=by,
            )
            for e in entries
        ],
        batch_size=1000,
    )
    return len(entries)


@transaction.atomic
def payment_delete(*, payment: DuesPayment) -> None:
    """Withdraw a payment recorded by mistake."""
    payment.delete()


# --- 免交 / 缓交 -------------------------------------------------------------------------------------


@transaction.atomic
def exemption_create(
    *,
    member: Member,
    kind: str,
    first: Month,
    last: Month,
    reason: str,
    approved_by: str,
    approved_on: date,
    by,
    scope: Scope | None = None,
    today: date | None = None,
) -> DuesExemption:
    """Record an approved 免交 or 缓交 for a run of months, with who approved it and when."""
    today = today or timezone.localdate()
    errors = {}
    if kind not in rules.EXCUSE_LABELS:
        errors["kind"] = _("请选择免交或缓交")
    if last < first:
        errors["last_month"] = _("截止月份不能早于起始月份")
    if not (reason or "").strip():
        errors["reason"] = _("请填写理由")
    if not (approved_by or "").strip():
        errors["approved_by"] = _("请填写批准的党组织")
    if approved_on is None:
        errors["approved_on"] = _("请填写批准日期")
    elif approved_on > today:
        errors["approved_on"] = _("批准日期不能晚于今天")
    branch_id = None
    if "last_month" not in errors:
        branch_id, error = _month_error(member, first, today, scope)
        if error:
            errors["first_month"] = error
    if errors:
        raise ValidationError(errors)
    assert branch_id is not None  # _month_error gives a branch or an error
    return DuesExemption.objects.create(
        member=member,
        branch_id=branch_id,
        kind=kind,
        first_month=first.first,
        last_month=last.first,
        reason=reason.strip(),
        approved_by=approved_by.strip(),
        approved_on=approved_on,
        recorded_by=by,
    )


@transaction.atomic
def exemption_delete(*, exemption: DuesExemption) -> None:
    exemption.delete()


# --- remittances (上缴) ----------------------------------------------------------------------------


@transaction.atomic
def remittance_create(
    *,
    branch: OrgUnit,
    year: int,
    first_month: int,
    last_month: int,
    amount: Decimal,
    remitted_on: date,
    by,
    note: str = "",
    today: date | None = None,
) -> Remittance:
    """A branch passes what it collected to the committee (normally every half year)."""
    today = today or timezone.localdate()
    if branch.kind != OrgUnit.Kind.BRANCH:
        raise ValidationError(_("只有党支部上缴党费"))
    errors = rules.remittance_errors(year, first_month, last_month, amount, remitted_on)
    if remitted_on > today:
        errors.append(_("上缴日期不能晚于今天"))
    error = year_error(year, today)
    if error:
        errors.append(error)
    if errors:
        raise ValidationError(errors)
    return Remittance.objects.create(
        branch=branch,
        year=year,
        first_month=first_month,
        last_month=last_month,
        amount=amount,
        remitted_on=remitted_on,
        note=(note or "").strip()[:200],
        recorded_by=by,
    )


@transaction.atomic
def remittance_delete(*, remittance: Remittance) -> None:
    remittance.delete()
