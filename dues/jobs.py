"""Imports and exports of the dues workbook from the browser: a job row, a Celery task, a page that
polls it (like the year-end workbook's, assessment/yearbook). The upload and the export live under
MEDIA_ROOT/dues/ and are deleted with their job after KEEP."""

from __future__ import annotations

import logging
import os
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import OrgUnit
from core import tasks as core_tasks
from core.spreadsheets import write_marked_workbook
from core.tasks import enqueue_on_commit
from core.uploads import UploadRefused, check_size, inspect_xlsx, open_workbook

from . import exports, imports
from .access import dues_scope_for
from .models import DuesJob

logger = logging.getLogger(__name__)

KEEP = timedelta(days=1)
# A job past Celery's time limit, failed by core.tasks.jobs_expire ({minutes}: the limit).
EXPIRED_MESSAGE = "超过{minutes}分钟仍未完成，后台任务可能已中断，请重新提交"
PROGRESS_INTERVAL = 0.5


def _path(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def _unlink(name: str) -> None:
    _path(name).unlink(missing_ok=True)


def _housekeeping() -> None:
    jobs_prune()
    jobs_expire()


@transaction.atomic
def import_request(*, user, upload, check_only: bool = False) -> DuesJob:
    """Keep the uploaded file and queue its import; the task checks it and writes it, all or nothing."""
    scope = dues_scope_for(user)
    if not (scope.is_committee or scope.is_manager):
        raise ValidationError(_("只有党组织书记、组织委员和机关党委可以导入党费"))
    name = os.path.basename(upload.name or "")
    if not name.lower().endswith(".xlsx"):
        raise ValidationError({"file": _("请上传 Excel 工作簿（.xlsx）")})
    try:
        check_size(upload, settings.IMPORT_MAX_UPLOAD_BYTES)
    except UploadRefused as exc:
        raise ValidationError({"file": str(exc)}) from None
    _housekeeping()
    job = DuesJob(kind=DuesJob.Kind.IMPORT, check_only=check_only, requested_by=user, upload_name=name[:200])
    job.upload.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    job.save()
    from .tasks import run_job  # the task module imports this one

    enqueue_on_commit(run_job, job.pk)
    return job


def export_scope_error(user, unit: OrgUnit | None) -> str | None:
    scope = dues_scope_for(user)
    if scope.is_committee:
        return None
    if not scope.is_manager:
        return _("只有党组织书记、组织委员和机关党委可以导出党费台账")
    if unit is None:
        return _("请选择导出哪个党组织的党费台账")
    if not scope.can_manage(unit):
        return _("只能导出您管理的党组织的党费台账")
    return None


@transaction.atomic
def export_request(*, user, year: int, unit: OrgUnit | None = None, today: date | None = None) -> DuesJob:
    today = today or timezone.localdate()
    if not 2000 <= year <= today.year:
        raise ValidationError({"year": _("年度须在 %(first)s–%(last)s 之间") % {"first": 2000, "last": today.year}})
    if unit is not None and unit.kind == OrgUnit.Kind.GROUP:
        raise ValidationError({"unit": _("导出范围须是机关党委、党总支或党支部")})
    error = export_scope_error(user, unit)
    if error:
        raise ValidationError(error)
    if unit is not None and unit.kind == OrgUnit.Kind.COMMITTEE and OrgUnit.objects.get_parent(unit) is None:
        unit = None
    _housekeeping()
    job = DuesJob.objects.create(kind=DuesJob.Kind.EXPORT, year=year, unit=unit, requested_by=user)
    from .tasks import run_job

    enqueue_on_commit(run_job, job.pk)
    return job


def job_run(*, job_id: int) -> DuesJob | None:
    """Run a job. Idempotent: a finished, failed or deleted job is left alone, and a job run twice
    (a redelivered task) does the same again (an import is all or nothing, an export rewrites the
    same file)."""
    if not core_tasks.job_claim(DuesJob, job_id, done=0, message=""):
        logger.info("dues job %s: nothing to do", job_id)
        return None
    job = DuesJob.objects.select_related("unit", "requested_by").get(pk=job_id)
    if job.kind == DuesJob.Kind.IMPORT:
        _run_import(job)
    else:
        _run_export(job)
    return DuesJob.objects.get(pk=job.pk)


def _run_import(job: DuesJob) -> None:
    DuesJob.objects.filter(pk=job.pk).update(stage="检查文件")
    user = get_user_model().objects.get(pk=job.requested_by_id)
    scope = dues_scope_for(user)
    last = [0.0]

    def progress(rows: int) -> None:  # rows read so far (core.uploads.bounded_rows), before any write
        if time.monotonic() - last[0] >= PROGRESS_INTERVAL:
            DuesJob.objects.filter(pk=job.pk, status=DuesJob.Status.RUNNING).update(done=rows)
            last[0] = time.monotonic()

    with job.upload.open("rb") as handle:
        try:
            shape = inspect_xlsx(handle)
        except UploadRefused:
            shape = None  # the import itself refuses it, with the message
        DuesJob.objects.filter(pk=job.pk).update(total=shape.declared_rows if shape else 0)
        handle.seek(0)
        result = imports.dues_import(file=handle, scope=scope, by=user, check_only=job.check_only, on_row=progress)
    # The page lists the first errors; all of them are in the upload marked row by row (the job's
    # `file`, which an import has no other use for).
    shown = settings.IMPORT_ERRORS_SHOWN
    errors = [{"sheet": e.sheet, "row": e.row, "column": e.column, "message": e.message} for e in result.errors[:shown]]
    marked = _marked_errors(job, result.errors) if any(e.row for e in result.errors) else ""
    job.upload.delete(save=False)
    message = result.summary
    if not result.ok:
        message = f"发现{len(result.errors)}处问题，未导入任何数据"
        if len(result.errors) > shown:
            message += f"；下表列出前{shown}处，全部问题见标注了错误的工作簿"
    DuesJob.objects.filter(pk=job.pk).update(
        status=DuesJob.Status.DONE if result.ok else DuesJob.Status.FAILED,
        stage="",
        errors=errors,
        upload="",
        file=marked,
        message=message,
        finished_at=timezone.now(),
    )


def _marked_errors(job: DuesJob, errors) -> str:
    """The upload with each bad row marked and explained (core.spreadsheets.write_marked_workbook)."""
    DuesJob.objects.filter(pk=job.pk).update(stage="标注错误")
    name = f"dues/exports/errors-{job.pk}-{uuid.uuid4().hex}.xlsx"
    path = _path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with job.upload.open("rb") as source, open(path, "wb") as out:
            write_marked_workbook(source, errors, out, open_workbook=open_workbook)
    except Exception:  # the list on the page still says what is wrong; the marked copy is a help
        logger.exception("dues job %s: could not mark the workbook", job.pk)
        path.unlink(missing_ok=True)
        return ""
    return name


def _run_export(job: DuesJob) -> None:
    assert job.year is not None  # export_request always sets the year (only imports have none)
    name = f"dues/exports/{job.year}-{job.pk}.xlsx"
    final = _path(name)
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(f"{final.name}.{uuid.uuid4().hex}.part")
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - last[0] >= PROGRESS_INTERVAL:
            DuesJob.objects.filter(pk=job.pk, status=DuesJob.Status.RUNNING).update(
                stage="写入党费台账", done=done, total=total
            )
            last[0] = time.monotonic()

    try:
        members, branches = exports.workbook_write(year=job.year, out=partial, unit=job.unit, on_rows=progress)
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    DuesJob.objects.filter(pk=job.pk).update(
        status=DuesJob.Status.DONE,
        stage="",
        file=name,
        done=members + branches,
        total=members + branches,
        message=f"党费台账{members}行，汇总{branches}个党支部",
        finished_at=timezone.now(),
    )


def job_failed(*, job_id: int, message: str) -> None:
    DuesJob.objects.filter(pk=job_id).exclude(status=DuesJob.Status.DONE).update(
        status=DuesJob.Status.FAILED, message=message, finished_at=timezone.now()
    )


def job_beat(*, job_id: int) -> None:
    DuesJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())


def jobs_stale_fail(*, before, message: str) -> int:
    """Fail the jobs being run whose worker has given no sign of life since `before`."""
    return core_tasks.jobs_stale_fail(DuesJob, before=before, message=message)


def jobs_expire(*, now=None) -> int:
    """Fail the jobs no worker can still be running (core.tasks.jobs_expire), so their page says so."""
    return core_tasks.jobs_expire(DuesJob, message=EXPIRED_MESSAGE, now=now)


def jobs_prune(*, now=None) -> int:
    """Delete jobs older than KEEP with their files."""
    before = (now or timezone.now()) - KEEP
    return core_tasks.jobs_prune(DuesJob, before=before, files=("file", "upload"), delete=_unlink)


def download_name(job: DuesJob) -> str:
    if job.kind == DuesJob.Kind.IMPORT:
        return f"{os.path.splitext(job.upload_name)[0] or '党费'}-错误标注.xlsx"
    return f"{job.year}年度党费台账" + (f"-{job.unit.name}" if job.unit is not None else "") + ".xlsx"
