"""The year's five-star standard: reading it, creating it, editing it until its first check locks it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..forms import AspectFormSet, IndicatorFormSet, StandardParametersForm
from ..models import Standard
from ..services.standards import locked_message, standard_ensure, standard_save
from .access import committee_only, reader_only, year_or_404


@login_required
def standard_current(request):
    reader_only(request)
    return redirect("assessment:standard", timezone.localdate().year)


@login_required
def standard_detail(request, year: int):
    scope = reader_only(request)
    standard = Standard.objects.filter(year=year_or_404(year)).first()
    aspects = []
    if standard:
        indicators = list(standard.indicators.all())
        aspects = [(a, [i for i in indicators if i.aspect_id == a.pk]) for a in standard.aspects.all()]
    context = {
        "year": year,
        "standard": standard,
        "aspects": aspects,
        "is_committee": scope.is_committee,
        "locked_message": locked_message(standard) if standard and standard.is_locked else "",
        "q_points": sum(i.points for _aspect, group in aspects for i in group if i.is_quarterly),
        "years": Standard.objects.values_list("year", flat=True),
    }
    return render(request, "assessment/standard.html", context)


@login_required
@require_POST
def standard_create(request, year: int):
    committee_only(request)
    standard = standard_ensure(year=year_or_404(year))
    if standard.copied_from:
        message = _("已建立%(year)s年度评定标准（复制自%(source)s年度）") % {
            "year": year,
            "source": standard.copied_from,
        }
    else:
        message = _("已建立%(year)s年度评定标准（采用默认标准）") % {"year": year}
    messages.success(request, message)
    return redirect("assessment:standard", year)


@login_required
def standard_edit(request, year: int):
    committee_only(request)
    standard = get_object_or_404(Standard, year=year_or_404(year))
    if standard.is_locked:
        messages.warning(request, locked_message(standard))
        return redirect("assessment:standard", year)
    aspects = list(standard.aspects.all())
    indicators = list(standard.indicators.select_related("aspect"))
    data = request.POST if request.method == "POST" else None
    form = StandardParametersForm(data, instance=standard)
    aspect_set = AspectFormSet(
        data, prefix="aspects", initial=[{"code": a.code, "name": a.name, "points": a.points} for a in aspects]
    )
    indicator_set = IndicatorFormSet(
        data,
        prefix="indicators",
        initial=[
            {
                "code": i.code,
                "aspect": i.aspect.code,
                "name": i.name,
                "points": i.points,
                "mode": i.mode,
                "frequency": i.frequency,
            }
            for i in indicators
        ],
    )
    errors = []
    if request.method == "POST" and form.is_valid() and aspect_set.is_valid() and indicator_set.is_valid():
        try:
            standard_save(
                standard=standard,
                parameters=form.cleaned_data,
                aspects=[f.spec() for f in aspect_set],
                indicators=[f.spec() for f in indicator_set if _kept(f)],
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("%(year)s年度评定标准已保存") % {"year": year})
            return redirect("assessment:standard", year)
    context = {
        "year": year,
        "standard": standard,
        "form": form,
        "aspect_set": aspect_set,
        "indicator_set": indicator_set,
        "errors": errors,
    }
    return render(request, "assessment/standard_edit.html", context)


def _kept(form) -> bool:
    """A filled-in indicator row that is not marked for deletion (blank extra rows are skipped)."""
    return bool(form.cleaned_data) and not form.cleaned_data.get("DELETE")
