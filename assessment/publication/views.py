"""Pages of the 公示, objections, interviews, the holiday calendar, the supporting documents and the
audit history of a score. Thin: fetch through a scoped queryset, validate a form, call one service.

Who reaches what: the 公示 page is public inside the organisation (every signed-in member, with or
without a role, sees each branch's level, action, score and reasons of the published year, and
nothing else); an objection is seen by the committee and by whoever raised it; interviews and
documents follow the branches a user may see, like the rest of the assessment. Anything else is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branches.access import get_managed_or_404, get_visible_or_404, scope_for
from branches.models import OrgUnit
from core.audit import audit_trail
from core.downloads import stored_file_response
from core.service_errors import add_service_errors, flash_service_errors
from members.models import Member

from ..models import Holiday, Indicator, Interview, Objection, Score, Standard, SupportingDocument, YearRating
from ..models.publication import NOTICE_STATE_LABELS
from ..services.ratings import OverrideNeedsConfirmation
from . import rules, selectors, services
from .forms import AnswerForm, DocumentForm, FollowUpForm, HolidayForm, InterviewForm, ObjectionForm

MIN_YEAR, MAX_YEAR = 2000, 2100


def _member(request):
    """Anyone who belongs to the organisation: the committee, anyone with a role, any member."""
    scope = scope_for(request.user)
    if not (scope.is_committee or scope.has_units or scope.member_id):
        raise Http404
    return scope


def _committee(request):
    scope = scope_for(request.user)
    if not scope.is_committee:
        raise Http404
    return scope


def _reader(request):
    """The committee and the secretaries, as for the rest of the assessment."""
    scope = scope_for(request.user)
    if not (scope.is_committee or scope.is_manager):
        raise Http404
    return scope


def _year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    return year


def _branch(request, pk: int, manage: bool = False) -> OrgUnit:
    qs = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH)
    return get_managed_or_404(qs, request.user, pk=pk) if manage else get_visible_or_404(qs, request.user, pk=pk)


# --- the 公示 ----------------------------------------------------------------------------------------


@login_required
def notice_latest(request):
    _member(request)
    years = selectors.published_years()
    if years:
        return redirect("publication:notice", years[0])
    return render(request, "publication/notice.html", {"year": None, "year_rating": None})


@login_required
def notice(request, year: int, form=None, status=200):
    scope = _member(request)
    year = _year(year)
    today = timezone.localdate()
    year_rating = YearRating.objects.filter(year=year).first()
    published = year_rating is not None and year_rating.is_approved
    notices = list(year_rating.notices.select_related("opened_by", "withdrawn_by")) if year_rating else []
    standing = next((n for n in notices if not n.is_withdrawn), None) if published else None
    state = None
    if standing is not None:
        state = selectors.notice_state(standing, today)
    lines = selectors.public_lines(year_rating) if published else []
    objections = (
        Objection.objects.visible_to(scope)
        .filter(notice__rating=year_rating)
        .select_related("branch", "raised_by__member", "answered_by", "notice")
        if year_rating
        else Objection.objects.none()
    )
    if form is None and state == rules.NoticeState.OPEN:
        form = ObjectionForm(branches=[line.branch for line in lines])
    context = {
        "year": year,
        "year_rating": year_rating if published else None,
        "withdrawn": year_rating is not None and not published and bool(notices),
        "notices": notices,
        "standing": standing,
        "state": state,
        "state_label": NOTICE_STATE_LABELS.get(state) if state else "",
        "days_left": rules.working_days_left(today, standing.ends_on, selectors.calendar(today))
        if standing and state == rules.NoticeState.OPEN
        else 0,
        "lines": lines,
        "objections": list(objections),
        "form": form if state == rules.NoticeState.OPEN else None,
        "is_committee": scope.is_committee,
        "years": selectors.published_years(),
    }
    return render(request, "publication/notice.html", context, status=status)


@login_required
@require_POST
def objection_create(request, year: int):
    _member(request)
    year = _year(year)
    year_rating = get_object_or_404(YearRating, year=year, status=YearRating.Status.APPROVED)
    branches = [line.branch for line in year_rating.branches.select_related("branch")]
    form = ObjectionForm(request.POST, branches=branches)
    if form.is_valid():
        branch = next(b for b in branches if b.pk == form.cleaned_data["branch"])
        try:
            services.objection_raise(year=year, branch=branch, text=form.cleaned_data["text"], by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("异议已提交。机关党委答复后，可在本页“我提出的异议”中查看答复。"))
            return redirect("publication:notice", year)
    return notice(request, year, form=form, status=400)


@login_required
def objection_detail(request, pk: int, form=None, needs_confirm=False, status=200):
    scope = _member(request)
    objection = get_visible_or_404(
        Objection.objects.select_related("branch", "raised_by__member", "answered_by", "notice__rating"),
        request.user,
        pk=pk,
    )
    if form is None and scope.is_committee and not objection.is_answered:
        form = AnswerForm()
    if form is not None and not needs_confirm:
        form.fields["confirm"].widget = form.fields["confirm"].hidden_widget()
    year_rating = objection.notice.rating
    # The line as published: after a reversal the year is a proposal again, which only the committee reads.
    shown = year_rating.is_approved or scope.is_committee
    line = year_rating.branches.filter(branch=objection.branch).select_related("rating").first() if shown else None
    context = {
        "objection": objection,
        "year": objection.notice.rating.year,
        "line": selectors.attach_notes([line])[0] if line else None,
        "form": form if scope.is_committee and not objection.is_answered else None,
        "needs_confirm": needs_confirm,
        "history": audit_trail(objection.history),
    }
    return render(request, "publication/objection.html", context, status=status)


@login_required
@require_POST
def objection_answer(request, pk: int):
    _committee(request)
    objection = get_visible_or_404(Objection.objects.all(), request.user, pk=pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.objection_answer(
                objection=objection,
                answer=data["answer"],
                outcome=data["outcome"],
                level=data["level"],
                confirmed=data["confirm"],
                by=request.user,
            )
        except OverrideNeedsConfirmation as exc:
            form.add_error(None, exc)
            return objection_detail(request, pk, form=form, needs_confirm=True, status=400)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已答复该异议"))
            return redirect("publication:objection", pk)
    return objection_detail(request, pk, form=form, status=400)


# --- the holiday calendar -------------------------------------------------------------------------------


@login_required
def holidays(request):
    _committee(request)
    form = HolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.holiday_save(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记 %(day)s") % {"day": f"{form.cleaned_data['day']:%Y-%m-%d}"})
            return redirect("publication:holidays")
    today = timezone.localdate()
    context = {
        "form": form,
        "upcoming": Holiday.objects.filter(day__gte=today.replace(month=1, day=1)).order_by("day"),
        "log": Holiday.history.select_related("history_user").order_by("-history_date")[:50],
    }
    return render(request, "publication/holidays.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def holiday_delete(request, pk: int):
    _committee(request)
    holiday = get_object_or_404(Holiday, pk=pk)
    services.holiday_delete(holiday=holiday, by=request.user)
    messages.success(request, _("已删除 %(day)s") % {"day": f"{holiday.day:%Y-%m-%d}"})
    return redirect("publication:holidays")


# --- interviews (约谈) -------------------------------------------------------------------------------


@login_required
def interviews(request, year: int):
    scope = _reader(request)
    year = _year(year)
    context = {
        "year": year,
        "rows": selectors.interview_rows(year, scope),
        "is_committee": scope.is_committee,
        "approved": YearRating.objects.filter(year=year, status=YearRating.Status.APPROVED).exists(),
    }
    return render(request, "publication/interviews.html", context)


def _secretary_name(branch: OrgUnit) -> str:
    secretary = Member.objects.filter(branch=branch, committee_post="书记").only("name").first()
    return secretary.name if secretary else ""


@login_required
def interview_create(request, branch_id: int, year: int):
    _committee(request)
    unit = _branch(request, branch_id)
    year = _year(year)
    initial = {"held_on": timezone.localdate(), "interviewee": _secretary_name(unit)}
    form = InterviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        follow_ups = [(data["problem"], data["deadline"])] if data["problem"] else []
        try:
            interview = services.interview_record(
                branch=unit,
                year=year,
                held_on=data["held_on"],
                interviewers=data["interviewers"],
                interviewee=data["interviewee"],
                points=data["points"],
                commitments=data["commitments"],
                follow_ups=follow_ups,
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("约谈记录已保存"))
            return redirect("publication:interview", interview.pk)
    context = {
        "unit": unit,
        "year": year,
        "form": form,
        "on_list": selectors.is_on_interview_list(unit, year),
    }
    return render(request, "publication/interview_form.html", context, status=400 if form.errors else 200)


@login_required
def interview_detail(request, pk: int):
    scope = _reader(request)
    interview = get_visible_or_404(Interview.objects.select_related("branch", "recorded_by"), request.user, pk=pk)
    context = {
        "interview": interview,
        "problems": interview.problems.order_by("deadline", "pk"),
        "form": FollowUpForm() if scope.is_committee else None,
        "history": audit_trail(interview.history),
        "today": timezone.localdate(),
    }
    return render(request, "publication/interview.html", context)


@login_required
@require_POST
def interview_problem(request, pk: int):
    _committee(request)
    interview = get_visible_or_404(Interview.objects.select_related("branch"), request.user, pk=pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.interview_problem_add(interview=interview, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            messages.success(request, _("整改问题已记入问题清单"))
    else:
        messages.error(request, _("请填写整改问题和整改期限"))
    return redirect("publication:interview", interview.pk)


# --- supporting documents (佐证材料) -----------------------------------------------------------------


def _manual_indicators(year: int) -> list[Indicator]:
    standard = Standard.objects.filter(year=year).first()
    if standard is None:
        return []
    return list(standard.indicators.filter(mode=Indicator.Mode.MANUAL).select_related("aspect", "standard"))


@login_required
def documents(request, branch_id: int, year: int, form=None, status=200):
    scope = _reader(request)
    unit = _branch(request, branch_id)
    year = _year(year)
    indicators = _manual_indicators(year)
    by_indicator = selectors.documents_by_indicator(unit, year)
    approved = YearRating.objects.filter(year=year, status=YearRating.Status.APPROVED).exists()
    can_upload = scope.can_manage(unit) and not approved and bool(indicators)
    if form is None and can_upload:
        form = DocumentForm(indicators=indicators, initial={"indicator": request.GET.get("indicator")})
    log = (
        SupportingDocument.history.filter(branch_id=unit.pk, indicator__standard__year=year)
        .select_related("history_user", "indicator")
        .order_by("-history_date")[:50]
        if indicators
        else []
    )
    context = {
        "unit": unit,
        "year": year,
        "rows": [(i, by_indicator.get(i.pk, [])) for i in indicators],
        "backed": sum(1 for i in indicators if by_indicator.get(i.pk)),
        "form": form if can_upload else None,
        "can_manage": scope.can_manage(unit) and not approved,
        "approved": approved,
        "log": log,
    }
    return render(request, "publication/documents.html", context, status=status)


@login_required
@require_POST
def document_upload(request, branch_id: int, year: int):
    unit = _branch(request, branch_id, manage=True)
    year = _year(year)
    indicators = _manual_indicators(year)
    form = DocumentForm(request.POST, request.FILES, indicators=indicators)
    if form.is_valid():
        indicator = next(i for i in indicators if i.code == form.cleaned_data["indicator"])
        try:
            services.document_upload(
                branch=unit,
                indicator=indicator,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("佐证材料已上传"))
            return redirect("publication:documents", unit.pk, year)
    return documents(request, unit.pk, year, form=form, status=400)


@login_required
def document_download(request, pk: int):
    _reader(request)
    document = get_visible_or_404(SupportingDocument.objects.all(), request.user, pk=pk)
    return stored_file_response(document.file, document.original_name)


@login_required
@require_POST
def document_delete(request, pk: int):
    document = get_managed_or_404(SupportingDocument.objects.select_related("indicator__standard"), request.user, pk=pk)
    branch_id, year = document.branch_id, document.indicator.standard.year
    try:
        services.document_delete(document=document, by=request.user)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("已删除佐证材料“%(name)s”") % {"name": document})
    return redirect("publication:documents", branch_id, year)


# --- the audit history of a score ---------------------------------------------------------------


@login_required
def score_history(request, pk: int):
    _reader(request)
    score = get_visible_or_404(Score.objects.select_related("branch", "indicator__standard"), request.user, pk=pk)
    context = {
        "score": score,
        "year": score.indicator.standard.year,
        "citations": score.citations.all(),
        "history": audit_trail(score.history),
    }
    return render(request, "publication/score_history.html", context)


# --- the home page's panel ----------------------------------------------------------------------------


def home_panel(request, scope):
    """公示 in progress, for everyone in the organisation; for the committee, what waits on it."""
    if not (scope.is_committee or scope.has_units or scope.member_id):
        return None
    today = timezone.localdate()
    panel = {"notices": selectors.open_notices(today), "is_committee": scope.is_committee}
    if scope.is_committee:
        panel["unanswered"] = Objection.objects.unanswered().count()
        latest = selectors.published_years()
        panel["interview_year"] = latest[0] if latest else None
        panel["to_hold"] = (
            sum(1 for row in selectors.interview_rows(latest[0], scope) if row["to_hold"]) if latest else 0
        )
    if not (panel["notices"] or panel.get("unanswered") or panel.get("to_hold")):
        return None
    return "publication/panel_home.html", panel
