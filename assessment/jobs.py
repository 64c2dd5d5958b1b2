"""Asking for a computation: record that it was asked for, and enqueue its task once the request commits."""

from datetime import date
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.tasks import enqueue_on_commit

from . import tasks
from .models import JobStatus, QuarterCheck, YearRating
from .services import checks, ratings
from .services.checks import quarter_period_error, refuse_if_approved


@transaction.atomic
def quarter_check_request(*, year: int, quarter: int, today: date | None = None) -> QuarterCheck:
    error = quarter_period_error(year, quarter, today or timezone.localdate())
    if error:
        raise ValidationError(error)
    refuse_if_approved(year)
    before = (
        QuarterCheck.objects.select_for_update()
        .filter(year=year, quarter=quarter)
        .values(*checks.QUARTER_CHECK_REQUEST_FIELDS)
        .first()
    )
    check, _created = QuarterCheck.objects.update_or_create(
        year=year,
        quarter=quarter,
        defaults={"status": JobStatus.QUEUED, "requested_at": timezone.now(), "message": ""},
    )
    # Redis down: a done check stays done (and says nothing new), the user is told (JobNotQueued).
    not_sent = partial(checks.quarter_check_not_queued, year=year, quarter=quarter, before=before)
    enqueue_on_commit(tasks.compute_quarter, year, quarter, not_sent=not_sent)
    return check


@transaction.atomic
def year_rating_request(*, year: int, today: date | None = None) -> YearRating:
    today = today or timezone.localdate()
    if year >= today.year:
        raise ValidationError(_("%(year)s年度尚未结束，年终后才能评定星级") % {"year": year})
    refuse_if_approved(year)
    before = (
        YearRating.objects.select_for_update().filter(year=year).values(*ratings.YEAR_RATING_REQUEST_FIELDS).first()
    )
    year_rating, _created = YearRating.objects.update_or_create(
        year=year, defaults={"job_status": JobStatus.QUEUED, "job_message": "", "requested_at": timezone.now()}
    )
    not_sent = partial(ratings.year_rating_not_queued, year=year, before=before)
    enqueue_on_commit(tasks.rate_year, year, not_sent=not_sent)
    return year_rating
