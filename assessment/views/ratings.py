"""Rating the year: a branch's application (申报), the committee's review, overrides, approval and its reversal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.models import OrgUnit
from core.audit import audit_trail
from core.service_errors import add_service_errors, flash_service_errors

from .. import jobs, rating, selectors
from ..forms import ApplicationForm, OverrideForm, ReverseForm
from ..models import Application, BranchRating, Standard, YearRating
from ..models.ratings import LEVEL_CHOICES
from ..publication import selectors as publication_selectors
from ..publication.forms import ApprovalDaysForm
from ..services import ratings
from .access import branch_or_404, committee_only, year_or_404
from .job_status import rating_job


@login_required
def apply(request, branch_id: int):
    """申报: the branch's secretary applies for a star level at year end."""
    unit = branch_or_404(request, branch_id, manage=True)
    today = timezone.localdate()
    years = [y for y in (today.year, today.year - 1) if not selectors.is_year_approved(y)]
    form = ApplicationForm(request.POST or None, years=years, initial={"year": years[-1] if years else None})
    if request.method == "POST" and form.is_valid():
        try:
            ratings.application_submit(
                branch=unit, year=form.cleaned_data["year"], level=form.cleaned_data["level"], by=request.user
            )
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            level_names = dict(LEVEL_CHOICES)
            messages.success(
                request,
                _("已申报%(year)s年度%(level)s党支部")
                % {"year": form.cleaned_data["year"], "level": level_names[form.cleaned_data["level"]]},
            )
            return redirect("assessment:branch", unit.pk)
    applications = Application.objects.filter(branch=unit).select_related("applied_by").order_by("-year")[:5]
    return render(request, "assessment/apply.html", {"unit": unit, "form": form, "applications": applications})


@login_required
def rating_latest(request):
    committee_only(request)
    return redirect("assessment:rating", timezone.localdate().year - 1)


PAGE_SIZE = 100


@login_required
def rating_review(request, year: int):
    """The committee reviews the proposal, with each branch's reasons; overrides; approves."""
    committee_only(request)
    year = year_or_404(year)
    year_rating = YearRating.objects.filter(year=year).first()
    # Counted and sorted by the database; only the page shown is built with its reasons.
    lines = year_rating.branches.all() if year_rating is not None else BranchRating.objects.none()
    lines = lines.annotate(final=Coalesce("override_level", "proposed_level"))
    counts = selectors.level_totals(lines)
    rated = lines.filter(applied_level__isnull=False).count()
    term = request.GET.get("q", "").replace("\0", "").strip()[:50]
    shown = lines.filter(Q(branch__name__icontains=term) | Q(branch__code__icontains=term)) if term else lines
    # Highest level first (the committee's override counts), lagging branches last.
    shown = shown.order_by(F("final").desc(nulls_last=True), "-score", "branch__code", "pk")
    page = Paginator(shown.select_related("branch", "rating", "overridden_by"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(publication_selectors.attach_notes(list(page.object_list)))
    query = request.GET.copy()
    query.pop("page", None)
    standard = Standard.objects.filter(year=year).first()
    context = {
        "year": year,
        "year_rating": year_rating,
        "rows": rows,
        "page": page,
        "term": term,
        "query": query.urlencode(),
        "counts": counts,
        "applied": Application.objects.filter(year=year).count(),
        "branch_total": OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).count(),
        "rules": selectors.rules_of(standard) if standard else None,
        "places": rating.quota_size(rated, standard.five_star_quota) if standard else None,
        "reverse_form": ReverseForm(),
        "reversals": year_rating.reversals.select_related("reversed_by", "approved_by") if year_rating else [],
        "job": rating_job(year_rating),
        "can_run": year < timezone.localdate().year,
        "approval_form": ApprovalDaysForm(),
        "history": audit_trail(year_rating.history) if year_rating else [],
    }
    return render(request, "assessment/rating.html", context)


@login_required
@require_POST
def rating_run(request, year: int):
    committee_only(request)
    try:
        jobs.year_rating_request(year=year_or_404(year))
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("已提交%(year)s年度星级评定的计算任务") % {"year": year})
    return redirect("assessment:rating", year)


@login_required
def rating_status(request, year: int):
    committee_only(request)
    year_rating = YearRating.objects.filter(year=year_or_404(year)).first()
    return render(request, "assessment/_job_status.html", {"job": rating_job(year_rating, watching=True)})


@login_required
@require_POST
def rating_approve(request, year: int):
    committee_only(request)
    days = ApprovalDaysForm(request.POST)
    try:
        if not days.is_valid():
            raise ValidationError(days.errors["working_days"])
        ratings.year_approve(year=year_or_404(year), by=request.user, working_days=days.cleaned_data["working_days"])
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("%(year)s年度星级评定已审批，各支部现在可以看到评定结果") % {"year": year})
    return redirect("assessment:rating", year)


@login_required
@require_POST
def rating_reverse(request, year: int):
    committee_only(request)
    form = ReverseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        ratings.year_reverse(year=year_or_404(year), by=request.user, reason=reason)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("已撤销%(year)s年度的审批，评定结果重新待审批") % {"year": year})
    return redirect("assessment:rating", year)


@login_required
def rating_override(request, year: int, pk: int):
    committee_only(request)
    line = get_object_or_404(
        BranchRating.objects.select_related("branch", "rating"), pk=pk, rating__year=year_or_404(year)
    )
    form = OverrideForm(request.POST or None, initial={"level": line.override_level, "reason": line.override_reason})
    needs_confirm = False
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            ratings.branch_rating_override(
                branch_rating=line,
                level=data["level"],
                reason=data["reason"],
                by=request.user,
                confirmed=data["confirm"],
            )
        except ratings.OverrideNeedsConfirmation as exc:
            needs_confirm = True
            add_service_errors(form, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已调整%(name)s的星级") % {"name": line.branch.name})
            return redirect("assessment:rating", year)
    if not needs_confirm:
        form.fields["confirm"].widget = form.fields["confirm"].hidden_widget()
    context = {"line": line, "form": form, "year": year, "history": audit_trail(line.history)}
    return render(request, "assessment/override.html", context)
