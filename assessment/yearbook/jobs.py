"""Asking for the year-end workbook: record the request as an ExportJob, enqueue its task once the request commits."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.access import scope_for
from branches.models import OrgUnit
from core.tasks import enqueue_on_commit

from ..models import ExportJob
from . import services, tasks

MIN_YEAR = 2000


@transaction.atomic
def export_request(*, user, year: int, unit: OrgUnit | None = None, today: date | None = None) -> ExportJob:
    """Ask for a year's workbook: the job is recorded now and built by a Celery task after commit."""
    today = today or timezone.localdate()
    if not MIN_YEAR <= year <= today.year:
        raise ValidationError(
            {
                "year": _("年度须在 %(first)s–%(last)s 之间，不能是 %(year)s")
                % {"first": MIN_YEAR, "last": today.year, "year": year}
            }
        )
    if unit is not None and unit.kind not in (OrgUnit.Kind.COMMITTEE, OrgUnit.Kind.GENERAL_BRANCH, OrgUnit.Kind.BRANCH):
        raise ValidationError({"unit": _("导出范围须是机关党委、党总支或党支部")})
    error = services.export_scope_error(user, unit)
    if error:
        raise ValidationError(error)
    if unit is not None and unit.kind == OrgUnit.Kind.COMMITTEE:
        unit = None if OrgUnit.objects.get_parent(unit) is None else unit
    services.export_jobs_prune()
    services.export_jobs_expire()
    job = ExportJob.objects.create(
        year=year, unit=unit, include_proposals=scope_for(user).is_committee, requested_by=user
    )
    enqueue_on_commit(tasks.build_export, job.pk)
    return job
