"""Asking for a year archive: record the request as an ArchiveJob, enqueue its task once the request commits."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.access import scope_for
from branches.models import OrgUnit
from core.tasks import enqueue_on_commit

from ..models import ArchiveJob
from . import services, tasks

MIN_YEAR = 2000
# A branch's archive takes a few seconds of CPU: a zip of more branches than this would outlast the
# task's time limit (CELERY_TASK_TIME_LIMIT). `manage.py export_archive` has no such limit.
MAX_ZIP_BRANCHES = 200


def archive_scope_error(user, unit: OrgUnit) -> str | None:
    """Why this user may not build this unit's archive (None: they may)."""
    scope = scope_for(user)
    if unit.kind == OrgUnit.Kind.BRANCH:
        return None if scope.can_manage(unit) else _("只能生成本党组织的年度台账")
    if unit.kind in (OrgUnit.Kind.GENERAL_BRANCH, OrgUnit.Kind.COMMITTEE):
        return None if scope.is_committee else _("只有机关党委可以打包生成党总支或全部支部的年度台账")
    return _("年度台账按党支部生成，请选择党支部、党总支或机关党委")


@transaction.atomic
def archive_request(*, user, unit: OrgUnit, year: int, today: date | None = None) -> ArchiveJob:
    """Ask for a unit's year archive: the job is recorded now and built by a Celery task after commit."""
    today = today or timezone.localdate()
    if not MIN_YEAR <= year <= today.year:
        raise ValidationError(
            {
                "year": _("年度须在 %(first)s–%(last)s 之间，不能是 %(year)s")
                % {"first": MIN_YEAR, "last": today.year, "year": year}
            }
        )
    error = archive_scope_error(user, unit)
    if error:
        raise ValidationError(error)
    if unit.kind != OrgUnit.Kind.BRANCH:
        count = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH, path__startswith=unit.path).count()
        if count > MAX_ZIP_BRANCHES:
            raise ValidationError(
                _(
                    "%(unit)s下有 %(n)s 个党支部，超过一次打包的上限 %(max)s 个：请按党总支分别生成，"
                    "或在服务器上用 manage.py export_archive 生成"
                )
                % {"unit": unit.name, "n": count, "max": MAX_ZIP_BRANCHES}
            )
    services.archive_jobs_prune()
    services.archive_jobs_expire()
    job = ArchiveJob.objects.create(year=year, unit=unit, requested_by=user)
    enqueue_on_commit(tasks.build_archive, job.pk)
    return job
