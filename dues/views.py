"""Pages of the dues ledger. Every object is fetched through the user's dues scope (dues.access):
anything outside it is a 404. Views check the form, call one service and redirect."""

from __future__ import annotations

import tempfile
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.access import get_managed_or_404, get_visible_or_404
from branches.models import OrgUnit
from core.params import query_id, query_year
from core.service_errors import flash_service_errors
from members.models import Member

from . import jobs, rules, selectors, services
from .access import branch_or_404, can_keep_dues, dues_members, dues_scope_for, managed_branches, member_or_404
from .forms import (
    BaseForm,
    BaseRowFormSet,
    CollectionDateForm,
    CollectionRowFormSet,
    ExemptionForm,
    ExportForm,
    PaymentForm,
    RemittanceForm,
    UploadForm,
    YearSettingForm,
)
from .imports import template as import_template
from .models import DuesBase, DuesExemption, DuesJob, DuesPayment, DuesYear, Remittance
from .rules import Month

PAGE_SIZE = 50
# The home page counts the attention list for up to this many branches (a general branch, a city's
# committee); above it, the panel links to the list.
HOME_COUNT_LIMIT = 100


def _keeper(request):
    scope = dues_scope_for(request.user)
    if not can_keep_dues(scope):
        raise Http404
    return scope


def _year(year: int, today) -> int:
    if not rules.MIN_YEAR <= year <= today.year + 1:
        raise Http404
    return year


def _only_get(request):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return None


def _collect_month(year: int, today) -> int | None:
    """The month the 按月收缴 tab opens: this month in the current year, December in a past one."""
    if year > today.year:
        return None
    return today.month if year == today.year else 12


# --- index, overview, attention list --------------------------------------------------------------


@login_required
def index(request):
    """Where 党费 in the navigation leads: the committee and general branches to the overview, a branch
    secretary or 组织委员 to their branch's ledger, a member to their own dues on their record."""
    scope = dues_scope_for(request.user)
    today = timezone.localdate()
    if can_keep_dues(scope):
        branches = list(managed_branches(scope).values_list("pk", flat=True)[:2])
        if len(branches) == 1 and not scope.is_committee:
            return redirect("dues:ledger", branches[0], today.year)
        return redirect("dues:overview")
    if scope.member_id is not None:
        return redirect(reverse("pledges:record", args=[scope.member_id]) + "#record-dues")
    raise Http404


@login_required
def overview(request):
    """Every branch the user keeps dues for: collection, on-time rate, arrears, remittances, the
    attention list — a page at a time, each page counted by the database in one go."""
    scope = _keeper(request)
    today = timezone.localdate()
    year = query_year(request, today.year, low=rules.MIN_YEAR, high=today.year + 1, strict=True)
    branches = managed_branches(scope).order_by("code")
    parents = OrgUnit.objects.managed_by(scope).filter(kind=OrgUnit.Kind.GENERAL_BRANCH).order_by("code")
    parent = None
    if unit_id := query_id(request, "unit"):
        general_branches = OrgUnit.objects.filter(kind=OrgUnit.Kind.GENERAL_BRANCH)
        parent = get_visible_or_404(general_branches, scope, pk=unit_id)
        branches = branches.filter(path__startswith=parent.path)
    page = Paginator(branches, PAGE_SIZE).get_page(request.GET.get("page"))
    summaries = selectors.branch_summaries([b.pk for b in page], year, today)
    rows = [(branch, summaries[branch.pk]) for branch in page]
    total = None
    if page.paginator.num_pages == 1 and len(rows) > 1:
        total = _total([s for _b, s in rows])
    query = f"year={year}" + (f"&unit={parent.pk}" if parent else "")
    return render(
        request,
        "dues/overview.html",
        {
            "year": year,
            "years": selectors.known_years(today),
            "page": page,
            "rows": rows,
            "total": total,
            "parents": parents,
            "parent": parent,
            "query": query,
            "export_form": _export_form(scope, year),
            "scope": scope,
        },
    )


def _total(summaries) -> selectors.BranchSummary:
    """The sum of the page's rows (shown when the page holds every branch)."""
    counts = ("members", "counted", "on_time", "no_base", "attention")
    money = ("due", "paid", "arrears", "remitted")
    values = {name: sum(getattr(s, name) for s in summaries) for name in counts}
    values.update({name: sum((getattr(s, name) for s in summaries), Decimal(0)) for name in money})
    return selectors.BranchSummary(0, **values)


def _export_form(scope, year):
    units = list(
        OrgUnit.objects.managed_by(scope)
        .filter(kind__in=[OrgUnit.Kind.GENERAL_BRANCH, OrgUnit.Kind.BRANCH])
        .order_by("path")[:500]
    )
    return ExportForm(initial={"year": year}, units=units, allow_all=scope.is_committee)


@login_required
def attention(request):
    """党章第九条: members six months or more in a row unpaid without an approved reason, in the
    user's branches. The app flags; what follows is for the organisation to decide."""
    scope = _keeper(request)
    today = timezone.localdate()
    ids = list(managed_branches(scope).values_list("pk", flat=True))
    entries = selectors.attention_list(ids, today)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dues/attention.html", {"page": page, "today": today, "year": today.year})


# --- a branch's ledger ------------------------------------------------------------------------------


@login_required
def ledger(request, branch_id: int, year: int):
    """党费台账: members × months, due and paid, arrears and the attention list. Print-ready."""
    branch = branch_or_404(request.user, branch_id)
    if response := _only_get(request):
        return response
    today = timezone.localdate()
    year = _year(year, today)
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
            "collect_month": _collect_month(year, today),
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
    year = _year(year, today)
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
    year = _year(year, today)
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
        if formset.is_valid():
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
            "collect_month": _collect_month(year, today),
            "rounding": rules.ROUNDING_LABELS[selectors.rounding_of(year)],
        },
    )


@login_required
def remittances(request, branch_id: int, year: int):
    """上缴: what the branch passed on to the committee, against what it collected."""
    scope = dues_scope_for(request.user)
    branch = branch_or_404(request.user, branch_id)
    today = timezone.localdate()
    year = _year(year, today)
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
            "collect_month": _collect_month(year, today),
        },
    )


# --- a member ------------------------------------------------------------------------------------


FORMS = {"payment": PaymentForm, "base": BaseForm, "exemption": ExemptionForm}


@login_required
def member(request, member_id: int, year: int):
    """One member's year: each month's dues, payments (one by one, back payments with their real
    date), bases (a change mid-year from its month), approved 免交/缓交. The member reads their own."""
    today = timezone.localdate()
    year = _year(year, today)  # first: the member's lookup works out the year's months
    person, can_change = member_or_404(request.user, member_id, year)
    scope = dues_scope_for(request.user)
    dues = selectors.member_dues(person, year, today)
    bound = {}
    if request.method == "POST":
        if not can_change:
            raise Http404
        action = request.POST.get("action")
        if action not in FORMS:
            return redirect("dues:member", person.pk, year)
        form = FORMS[action](request.POST, prefix=action)
        bound[action] = form
        if form.is_valid():
            try:
                _member_write(action, form.cleaned_data, person, year, request.user, scope, today)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, _("已保存"))
                return redirect("dues:member", person.pk, year)
    first_open = next((m for m in dues.owed_months if not m.dues.in_full), None)
    forms = {
        "payment": bound.get("payment")
        or PaymentForm(
            prefix="payment",
            initial={
                "month": first_open.month.month if first_open else min(today.month, 12) if year == today.year else 12,
                "amount": first_open.dues.owed if first_open and first_open.dues.due else None,
                "paid_on": today,
            },
        ),
        "base": bound.get("base") or BaseForm(prefix="base"),
        "exemption": bound.get("exemption") or ExemptionForm(prefix="exemption", initial={"approved_on": today}),
    }
    keeps = set(managed_branches(scope).values_list("pk", flat=True)) if can_change else set()
    return render(
        request,
        "dues/member.html",
        {
            "person": person,
            "dues": dues,
            "year": year,
            "years": selectors.known_years(today),
            "can_change": can_change,
            "forms": forms,
            "keeps": keeps,
            "rounding": rules.ROUNDING_LABELS[dues.rounding],
        },
    )


def _member_write(action, data, person, year, user, scope, today):
    if action == "payment":
        services.payment_record(
            member=person,
            month=Month(year, data["month"]),
            amount=data["amount"],
            paid_on=data["paid_on"],
            note=data.get("note", ""),
            by=user,
            scope=scope,
            today=today,
        )
    elif action == "base":
        # A base belongs to the branch the member is in now, which keeps it after a transfer.
        if not Member.objects.managed_by(scope).filter(pk=person.pk).exists():
            raise ValidationError(_("该党员已转出，计算基数由其现在所在的党支部设定"))
        services.base_set(
            member=person,
            year=year,
            from_month=data["from_month"],
            category=data["category"],
            base=data.get("base"),
            by=user,
            today=today,
        )
    else:
        services.exemption_create(
            member=person,
            kind=data["kind"],
            first=Month(year, data["first_month"]),
            last=Month(year, data["last_month"]),
            reason=data["reason"],
            approved_by=data["approved_by"],
            approved_on=data["approved_on"],
            by=user,
            scope=scope,
            today=today,
        )


# --- deleting what was recorded by mistake -----------------------------------------------------------


def _confirm_delete(request, obj, what: str, back: str, delete):
    if request.method == "POST":
        delete()
        messages.success(request, _("已删除：%(what)s") % {"what": what})
        return redirect(back)
    return render(request, "dues/confirm_delete.html", {"what": what, "back": back})


@login_required
def payment_delete(request, pk: int):
    scope = dues_scope_for(request.user)
    payment = get_managed_or_404(DuesPayment.objects.select_related("member"), scope, pk=pk)
    what = _("%(name)s %(month)s 党费 %(amount)s 元（%(day)s交纳）") % {
        "name": payment.member.name,
        "month": Month.of(payment.month),
        "amount": payment.amount,
        "day": f"{payment.paid_on:%Y-%m-%d}",
    }
    back = reverse("dues:member", args=[payment.member_id, payment.month.year])
    return _confirm_delete(request, payment, what, back, lambda: services.payment_delete(payment=payment))


@login_required
def base_delete(request, pk: int):
    scope = dues_scope_for(request.user)
    base = get_managed_or_404(DuesBase.objects.select_related("member"), scope, pk=pk)
    what = _("%(name)s %(year)s年%(month)s月起的计算基数") % {
        "name": base.member.name,
        "year": base.year,
        "month": base.from_month,
    }
    back = reverse("dues:member", args=[base.member_id, base.year])
    return _confirm_delete(request, base, what, back, lambda: services.base_delete(base=base))


@login_required
def exemption_delete(request, pk: int):
    scope = dues_scope_for(request.user)
    exemption = get_managed_or_404(DuesExemption.objects.select_related("member"), scope, pk=pk)
    what = _("%(name)s %(first)s—%(last)s 的%(kind)s") % {
        "name": exemption.member.name,
        "first": Month.of(exemption.first_month),
        "last": Month.of(exemption.last_month),
        "kind": exemption.get_kind_display(),
    }
    back = reverse("dues:member", args=[exemption.member_id, exemption.first_month.year])
    return _confirm_delete(request, exemption, what, back, lambda: services.exemption_delete(exemption=exemption))


@login_required
def remittance_delete(request, pk: int):
    scope = dues_scope_for(request.user)
    remittance = get_managed_or_404(Remittance.objects.select_related("branch"), scope, pk=pk)
    what = _("%(branch)s %(year)s年%(first)s–%(last)s月的上缴 %(amount)s 元") % {
        "branch": remittance.branch.name,
        "year": remittance.year,
        "first": remittance.first_month,
        "last": remittance.last_month,
        "amount": remittance.amount,
    }
    back = reverse("dues:remittances", args=[remittance.branch_id, remittance.year])
    return _confirm_delete(request, remittance, what, back, lambda: services.remittance_delete(remittance=remittance))


# --- the committee's settings ----------------------------------------------------------------------


@login_required
def years(request):
    """The committee opens years of the ledger and chooses each year's rounding."""
    scope = dues_scope_for(request.user)
    if not scope.is_committee:
        raise Http404
    today = timezone.localdate()
    form = YearSettingForm(request.POST or None, initial={"year": today.year})
    if request.method == "POST" and form.is_valid():
        try:
            services.dues_year_set(by=request.user, today=today, **form.cleaned_data)
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            messages.success(request, _("已保存%(year)s年度的党费设置") % {"year": form.cleaned_data["year"]})
            return redirect("dues:years")
    rows = DuesYear.objects.select_related("updated_by")
    return render(request, "dues/years.html", {"form": form, "rows": rows})


# --- files: import, export, their jobs --------------------------------------------------------------


@login_required
def import_page(request):
    _keeper(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.import_request(
                user=request.user, upload=form.cleaned_data["file"], check_only=form.cleaned_data["check_only"]
            )
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            return redirect("dues:job", job.pk)
    recent = DuesJob.objects.visible_to(request.user).filter(kind=DuesJob.Kind.IMPORT)[:5]
    return render(request, "dues/import.html", {"form": form, "recent": recent})


@login_required
def template_download(request):
    _keeper(request)
    buffer = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)
    import_template(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=_("党费导入模板.xlsx"))


@login_required
def export(request):
    scope = _keeper(request)
    if request.method != "POST":
        return redirect("dues:overview")
    today = timezone.localdate()
    units = OrgUnit.objects.managed_by(scope).filter(kind__in=[OrgUnit.Kind.GENERAL_BRANCH, OrgUnit.Kind.BRANCH])
    form = ExportForm(request.POST, units=units, allow_all=scope.is_committee)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("dues:overview")
    unit = None
    if form.cleaned_data["unit"]:
        unit = get_visible_or_404(OrgUnit.objects.managed_by(scope), scope, pk=form.cleaned_data["unit"])
    try:
        job = jobs.export_request(user=request.user, year=form.cleaned_data["year"], unit=unit, today=today)
    except ValidationError as exc:
        flash_service_errors(request, exc)
        return redirect("dues:overview")
    return redirect("dues:job", job.pk)


def _job(request, pk: int) -> DuesJob:
    return get_visible_or_404(DuesJob.objects.select_related("unit"), request.user, pk=pk)


@login_required
def job(request, pk: int):
    jobs.jobs_expire()
    return render(request, "dues/job.html", {"job": _job(request, pk)})


@login_required
def job_progress(request, pk: int):
    """The progress box alone, polled by htmx while the job runs."""
    jobs.jobs_expire()
    return render(request, "dues/_job_progress.html", {"job": _job(request, pk)})


@login_required
def job_download(request, pk: int):
    found = _job(request, pk)
    # An export's workbook, or a refused import's upload with its errors marked.
    if not found.file or (found.kind == DuesJob.Kind.EXPORT and not found.is_done):
        raise Http404
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=jobs.download_name(found))


# --- the home page -----------------------------------------------------------------------------------


def home_panel(request, scope):
    """The attention list's count for those who keep dues; a member's own year. (template, context)."""
    today = timezone.localdate()
    dues_scope = dues_scope_for(request.user)
    if can_keep_dues(dues_scope):
        ids = list(managed_branches(dues_scope).values_list("pk", flat=True)[: HOME_COUNT_LIMIT + 1])
        # Counting a province's attention list takes seconds: the home page links to it instead.
        count = selectors.attention_count(ids, today) if len(ids) <= HOME_COUNT_LIMIT else None
        return "dues/panel_home.html", {"keeper": True, "attention": count, "year": today.year}
    if scope.member_id is not None:
        member = Member.objects.get(pk=scope.member_id)
        dues = selectors.member_dues(member, today.year, today)
        if not dues.owed_months:
            return None
        return "dues/panel_home.html", {"keeper": False, "dues": dues, "member_id": member.pk}
    return None
