"""Writes to the year's standard: create it (copying the year before), edit it until it locks."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import standard as spec
from ..models import Aspect, Indicator, Standard


def standard_ensure(*, year: int) -> Standard:
    """The year's standard, created on first use: a copy of the latest earlier year, else DOMAIN's defaults."""
    existing = Standard.objects.filter(year=year).first()
    if existing is not None:
        return existing
    previous = Standard.objects.filter(year__lt=year).order_by("-year").first()
    if previous is not None:
        parameters = previous.parameters()
        aspects = [spec.AspectSpec(a.code, a.name, a.points) for a in previous.aspects.all()]
        indicators = [
            spec.IndicatorSpec(i.code, i.aspect.code, i.name, i.points, i.mode, i.frequency)
            for i in previous.indicators.select_related("aspect")
        ]
    else:
        parameters = dict(spec.DEFAULT_PARAMETERS)
        aspects, indicators = list(spec.DEFAULT_ASPECTS), list(spec.DEFAULT_INDICATORS)
    try:
        with transaction.atomic():
            standard = Standard.objects.create(year=year, copied_from=previous.year if previous else None, **parameters)
            _write_rows(standard, aspects, indicators)
    except IntegrityError:
        # Another request created the year at the same moment: theirs is as good as ours.
        return Standard.objects.get(year=year)
    return standard


def _write_rows(standard: Standard, aspects, indicators) -> None:
    by_code = {}
    for position, a in enumerate(aspects):
        by_code[a.code], _created = Aspect.objects.update_or_create(
            standard=standard, code=a.code, defaults={"name": a.name, "points": a.points, "position": position}
        )
    for position, i in enumerate(indicators):
        Indicator.objects.update_or_create(
            standard=standard,
            code=i.code,
            defaults={
                "aspect": by_code[i.aspect],
                "name": i.name,
                "points": i.points,
                "mode": i.mode,
                "frequency": i.frequency,
                "position": position,
            },
        )
    standard.indicators.exclude(code__in=[i.code for i in indicators]).delete()
    standard.aspects.exclude(code__in=[a.code for a in aspects]).delete()


def locked_message(standard: Standard) -> str:
    when = timezone.localtime(standard.locked_at).strftime("%Y-%m-%d %H:%M")
    return _("%(year)s年度已开始季度检查（%(when)s），评定标准已锁定，不能再修改") % {
        "year": standard.year,
        "when": when,
    }


@transaction.atomic
def standard_save(*, standard: Standard, parameters: dict, aspects: list, indicators: list) -> Standard:
    """Replace the year's parameters, aspects and indicators, all at once, if they add up."""
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    if standard.is_locked:
        raise ValidationError(locked_message(standard))
    errors = spec.standard_errors(parameters, aspects, indicators)
    if errors:
        raise ValidationError(errors)
    for name in spec.DEFAULT_PARAMETERS:
        setattr(standard, name, parameters[name])
    standard.save()
    _write_rows(standard, aspects, indicators)
    return standard


def standard_lock(*, standard: Standard) -> None:
    """Lock the standard at the year's first check: scores from then on are out of its points."""
    standards_lock(ids=[standard.pk])


def standards_lock(*, ids) -> None:
    Standard.objects.filter(pk__in=list(ids), locked_at__isnull=True).update(locked_at=timezone.now())
