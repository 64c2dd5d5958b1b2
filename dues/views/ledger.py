"""A branch's ledger and what is entered on it for the whole branch: the month's collection, the
year's bases, the remittances."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import OrgUnit
from core.service_errors import flash_service_errors
from members.models import Member

from .. import rules, selectors, services
from ..access import branch_or_404, dues_members, dues_scope_for
from ..forms import (
    BaseRowFormSet,
    CollectionDateForm,
    CollectionRowFormSet,
    ExportForm,
    RemittanceForm,
)
from ..models import DuesBase, Remittance
from ..rules import Month
from .common import collect_month, only_get, year_or_404


@login_required
def ledger(request, branch_id: int, year: int):
    """党费台账: members × months, due and paid, arrears and the attention list. Print-ready."""
    branch = branch_or_404(request.user, branch_id)
    if response := only_get(request):
        return response
    today = timezone.localdate()
    year = year_or_404(year, today)
    data = selectors.branch_ledger(branch, year, today)
    remittances = list(Remittance.objects.managed_by(dues_scope_for(request.user)).filter(branch=branch, year=year))
    return render(
        request,
        "dues/ledger.html",
        {
            "ledger": data,
            "branch": branch,
            "year": year,
            "years": selectors.known_years(today),
            "today": today,
            "collect_month": collect_month(year, today),
            "remittances": remittances,
            "rounding": rules.ROUNDING_LABELS[selectors.rounding_of(year)],
            "export_form": ExportForm(initial={"year": year, "unit": branch.pk}, units=[branch]),
        },
    )


@login_required
def collect(request, branch_id: int, year: int, month: int):
    """The month's collection in one form: everyone who still owes the month is ticked as paying it;
    the secretary unticks or edits the exceptions and saves them all at once, or none."""
    scope = dues_scope_for(request.user)
    branch = branch_or_404(request.user, branch_id)
    today = timezone.localdate()
    year = year_or_404(year, today)
    if not 1 <= month <= 12 or Month(year, month) > Month.of(today):
        raise Http404
    the_month = Month(year, month)
    lines = _collection_lines(branch, the_month, today)
    members = {line["member"].pk: line for line in lines}
    if request.method == "POST":
        date_form = CollectionDateForm(request.POST)
        formset = CollectionRowFormSet(request.POST, initial=[_initial(line) for line in lines])
        if len(formset.forms) != len(lines):
            # The rows posted are not the month's list (it changed meanwhile, or the form came damaged).
            messages.error(request, _("提交的名单与本月应交名单不一致，请核对后重新提交"))
            formset = CollectionRowFormSet(initial=[_initial(line) for line in lines])
        elif date_form.is_valid() and formset.is_valid():
            entries = []
            for row in formset.cleaned_data:
                line = members.get(row.get("member"))
                if line is not None and row.get("paid"):
                    entries.append((line["member"], row["amount"]))
            try:
                created = services.collection_record(
                    branch=branch,
                    month=the_month,
                    paid_on=date_form.cleaned_data["paid_on"],
                    entries=entries,
                    by=request.user,
                    scope=scope,
                    today=today,
                )
            except ValidationError as exc:
                flash_service_errors(request, exc)
            else:
                messages.success(
                    request,
                    _("已登记 %(month)s 党费 %(n)s 人，共 %(total)s 元")
                    % {"month": the_month, "n": len(created), "total": sum(p.amount for p in created)},
                )
                return redirect("dues:ledger", branch.pk, year)
    else:
        date_form = CollectionDateForm(initial={"paid_on": today})
        formset = CollectionRowFormSet(initial=[_initial(line) for line in lines])
    rows = list(zip(lines, formset.forms, strict=True))
    return render(
        request,
        "dues/collect.html",
        {
            "branch": branch,
            "year": year,
            "month": the_month,
            "rows": rows,
            "formset": formset,
            "date_form": date_form,
            "months": [Month(year, m) for m in range(1, 13) if Month(year, m) <= Month.of(today)],
        },
    )


def _collection_lines(branch: OrgUnit, month: Month, today) -> list[dict]:
    """Each member who owes `month` to the branch, with the month's dues so far."""
    ledgers = selectors.year_ledgers([branch.pk], month.year, today)
    rows = [r for r in ledgers.rows.get(branch.pk, []) if month in r.months]
    members = Member.objects.in_bulk([r.member_id for r in rows])
    lines = []
    for row in sorted(rows, key=lambda r: (members[r.member_id].name, r.member_id)):
        dues = row.months[month]
        lines.append({"member": members[row.member_id], "dues": dues})
    return lines


def _initial(line: dict) -> dict:
    dues = line["dues"]
    owed = dues.owed if dues.due is not None else None
    tick = dues.due is not None and not dues.in_full and dues.excuse != rules.EXEMPT
    return {"member": line["member"].pk, "paid": tick, "amount": owed if tick else None}


@login_required
def bases(request, branch_id: int, year: int):
    """The year's bases of the branch's members (from January), all saved at once or none.
    A change later in the year is set from its month on the member's page."""
    branch = branch_or_404(request.user, branch_id)
    today = timezone.localdate()
    year = year_or_404(year, today)
    members = list(
        Member.objects.filter(pk__in=dues_members(request.user, year).filter(branch=branch).values("pk")).order_by(
            "name", "pk"
        )
    )
    current = {b.member_id: b for b in DuesBase.objects.filter(member__in=members, year=year, from_month=1).order_by()}
    later = set(
        DuesBase.objects.filter(member__in=members, year=year, from_month__gt=1).values_list("member_id", flat=True)
    )
    initial = [
        {
            "member": m.pk,
            "category": current[m.pk].category if m.pk in current else "",
            "base": current[m.pk].base if m.pk in current else None,
        }
        for m in members
    ]
    by_pk = {m.pk: m for m in members}
    if request.method == "POST":
        formset = BaseRowFormSet(request.POST, initial=initial)
        if len(formset.forms) != len(initial):
            # The rows posted are not the branch's members (one joined or left meanwhile, or the form
            # came damaged): nothing is saved and the current list is shown again.
            messages.error(request, _("提交的名单与本支部党员名单不一致，请核对后重新提交"))
            formset = BaseRowFormSet(initial=initial)
        elif formset.is_valid():
            entries = [
                services.BaseEntry(by_pk[row["member"]], year, 1, row["category"], row.get("base"))
                for row in formset.cleaned_data
                if row.get("member") in by_pk and row.get("category")
            ]
            try:
                count = services.bases_set(entries=entries, by=request.user, today=today)
            except ValidationError as exc:
                flash_service_errors(request, exc)
            else:
                messages.success(request, _("已保存 %(n)s 名党员的计算基数") % {"n": count})
                return redirect("dues:ledger", branch.pk, year)
    else:
        formset = BaseRowFormSet(initial=initial)
    rows = [(by_pk[form.initial["member"]], form, current.get(form.initial["member"])) for form in formset.forms]
    return render(
        request,
        "dues/bases.html",
        {
            "branch": branch,
            "year": year,
            "rows": rows,
            "formset": formset,
            "later": later,
            "collect_month": collect_month(year, today),
            "rounding": rules.ROUNDING_LABELS[selectors.rounding_of(year)],
        },
    )


@login_required
def remittances(request, branch_id: int, year: int):
    """上缴: what the branch passed on to the committee, against what it collected."""
    scope = dues_scope_for(request.user)
    branch = branch_or_404(request.user, branch_id)
    today = timezone.localdate()
    year = year_or_404(year, today)
    form = RemittanceForm(request.POST or None, initial={"remitted_on": today})
    if request.method == "POST" and form.is_valid():
        try:
            services.remittance_create(branch=branch, year=year, by=request.user, today=today, **form.cleaned_data)
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            messages.success(request, _("已登记上缴"))
            return redirect("dues:remittances", branch.pk, year)
    summary = selectors.branch_summaries([branch.pk], year, today, attention=False)[branch.pk]
    rows = Remittance.objects.managed_by(scope).filter(branch=branch, year=year).select_related("recorded_by")
    return render(
        request,
        "dues/remittances.html",
        {
            "branch": branch,
            "year": year,
            "form": form,
            "rows": rows,
            "summary": summary,
            "collect_month": collect_month(year, today),
        },
    )
