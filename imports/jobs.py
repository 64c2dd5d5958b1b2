"""Running a spreadsheet import as a job: the upload is kept, checked, imported all or nothing, and
what went wrong is kept as a marked copy of the user's workbook.

Every browser import (roster, ledger, scores, recruits) goes through `import_request`: a small file
is imported at once, inside the request; a large one (core.uploads.is_large: more than
IMPORT_JOB_ROWS declared rows, or IMPORT_JOB_BYTES unzipped) is queued for a Celery worker, and the
user watches its progress on the job's page (like the year-end workbook's export). Either way the
work is `job_run`, with the app's own `runner` (the import itself, plain of jobs) and the app's own
task (declared with core.tasks.job_task, which records a failure on the job).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from core import tasks as core_tasks
from core.spreadsheets import RowError, write_marked_workbook
from core.tasks import enqueue_on_commit
from core.uploads import UploadRefused, inspect_xlsx, is_large, open_workbook

from .models import ImportJob

logger = logging.getLogger(__name__)

KEEP = timedelta(days=1)
# A job past Celery's time limit, failed by core.tasks.jobs_expire ({minutes}: the limit).
EXPIRED_MESSAGE = "超过{minutes}分钟仍未完成，后台任务可能已中断，未导入任何数据，请重新上传"
PROGRESS_INTERVAL = 0.5  # seconds between two progress writes

# Where each kind's upload page is (a URL name), for the job page's way back.
PAGES = {
    ImportJob.Kind.ROSTER: "members:roster_import",
    ImportJob.Kind.LEDGER: "activities:import",
    ImportJob.Kind.SCORES: "assessment:import",
    ImportJob.Kind.RECRUITS: "recruitment:import",
}


@dataclass
class Outcome:
    """What a runner returns: the errors (nothing was written) or the summary of what was."""

    errors: Sequence[RowError] = ()
    warnings: Sequence[str] = ()
    summary: str = ""


def _live_key(job_id: int) -> str:
    return f"imports:job:{job_id}:progress"


class Progress:
    """A job's stage and counts while it runs, at most every PROGRESS_INTERVAL seconds.

    Reading counts rows against the rows the sheets declare (`rows` is the on_row callback of
    core.uploads.bounded_rows; its counts restart with each sheet, so a count lower than the last
    starts the next sheet). Writing counts written rows against the rows to write (`written`). The
    writes happen inside the import's one transaction, where an UPDATE of the job would stay unseen
    until the end, so the counts go to the cache (Redis, shared by web and workers), which the
    progress box reads first (`live`); the job's row gets them too when no transaction is open."""

    def __init__(self, job: ImportJob):
        self.job_id = job.pk
        self.total = job.total
        self.current = job.stage
        self.base = 0
        self.last = 0
        self.written_at = 0.0

    def _publish(self, done: int, total: int, *, force: bool = False) -> None:
        if not force and time.monotonic() - self.written_at < PROGRESS_INTERVAL:
            return
        cache.set(_live_key(self.job_id), {"stage": self.current, "done": done, "total": total}, timeout=3600)
        if not transaction.get_connection().in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id, status=ImportJob.Status.RUNNING).update(
                stage=self.current, done=done, total=total
            )
        self.written_at = time.monotonic()

    def stage(self, text: str) -> None:
        self.current = text[:40]
        self._publish(0, 0, force=True)

    def rows(self, count: int) -> None:
        if count < self.last:
            self.base += self.last
        self.last = count
        done = self.base + count
        self._publish(min(done, self.total) if self.total else done, self.total)

    def written(self, count: int, total: int) -> None:
        self._publish(count, total, force=count >= total)


def live(job: ImportJob) -> ImportJob:
    """`job` with the stage and counts its worker last published, while it runs (see Progress)."""
    if job.status == ImportJob.Status.RUNNING:
        found = cache.get(_live_key(job.pk))
        if found:
            job.stage, job.done, job.total = found["stage"], found["done"], found["total"]
    return job


Runner = Callable[[ImportJob, Any, Progress], Outcome]


def import_request(*, kind: str, user, upload, check_only: bool = False, task) -> ImportJob:
    """Keep `upload` and import it: at once when small, else by `task` (job id) on a worker.

    Returns the job; `job.is_running` says it was queued (send the user to its page)."""
    jobs_prune()
    jobs_expire()
    try:
        shape = inspect_xlsx(upload)
    except UploadRefused:
        shape = None  # refused again, with the message, by the import itself: in the request, at once
    job = ImportJob(
        kind=kind,
        check_only=check_only,
        requested_by=user,
        upload_name=Path(upload.name or "").name[:200],
        total=shape.declared_rows if shape else 0,
    )
    upload.seek(0)
    job.upload.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    job.save()
    cache.delete(_live_key(job.pk))  # nothing left by an earlier job of the same id (a reset database)
    if is_large(shape):
        enqueue_on_commit(task, job.pk)
        return job
    task(job.pk)  # in this request: the task's own failure handling, without a worker
    job.refresh_from_db()
    return job


def job_run(*, job_id: int, runner: Runner) -> ImportJob | None:
    """Run an import job. A job already finished, failed or deleted is left alone; a job run again
    (a redelivered task) imports again from the start (the import is all or nothing)."""
    if not core_tasks.job_claim(ImportJob, job_id, done=0, stage="检查文件"):
        logger.info("import job %s: nothing to do", job_id)
        return None
    cache.delete(_live_key(job_id))  # a run before this one (a redelivered task) published its own
    job = ImportJob.objects.select_related("requested_by").get(pk=job_id)
    progress = Progress(job)
    with job.upload.open("rb") as handle:
        outcome = runner(job, handle, progress)
    if outcome.errors:
        _record_errors(job, outcome, progress)
    else:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.DONE,
            stage="",
            done=job.total,
            message=outcome.summary,
            warnings=list(outcome.warnings),
            finished_at=timezone.now(),
        )
    _delete_upload(job)
    cache.delete(_live_key(job.pk))
    return ImportJob.objects.get(pk=job.pk)


def _record_errors(job: ImportJob, outcome: Outcome, progress: Progress) -> None:
    errors = list(outcome.errors)
    error_file = ""
    if any(error.row for error in errors):
        progress.stage("标注错误")
        name = f"imports/errors/{job.pk}-{uuid.uuid4().hex}.xlsx"
        path = Path(settings.MEDIA_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with job.upload.open("rb") as source, open(path, "wb") as out:
                write_marked_workbook(source, errors, out, open_workbook=open_workbook)
            error_file = name
        except Exception:  # the list on the page still says everything; the marked copy is a help
            logger.exception("import job %s: could not mark the workbook", job.pk)
            path.unlink(missing_ok=True)
    shown = settings.IMPORT_ERRORS_SHOWN
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED,
        stage="",
        errors=[error_dict(error) for error in errors[:shown]],
        error_count=len(errors),
        error_file=error_file,
        warnings=list(outcome.warnings),
        message=f"文件中有{len(errors)}处错误，未写入任何数据。请修改后重新上传。",
        finished_at=timezone.now(),
    )


def error_dict(error: RowError) -> dict[str, Any]:
    return {
        "sheet": error.sheet,
        "row": error.row,
        "column": error.column,
        "message": error.message,
        "text": str(error),
    }


def _delete_upload(job: ImportJob) -> None:
    if job.upload:
        job.upload.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(upload="")


def job_failed(*, job_id: int, message: str) -> None:
    """The task's failure hook (core.tasks): the job says why, the upload goes."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.is_done:
        return
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED, stage="", message=message, finished_at=timezone.now()
    )
    _delete_upload(job)


def job_beat(*, job_id: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())


def jobs_stale_fail(*, before, message: str) -> int:
    """Fail the running jobs whose worker has given no sign of life since `before` (core.tasks'
    sweep); the import's transaction died with the worker, so nothing of it was written."""
    return core_tasks.jobs_stale_fail(ImportJob, before=before, message=f"{message}；未导入任何数据", stage="")


def jobs_expire(*, now=None) -> int:
    """Fail the jobs no worker can still be running (core.tasks.jobs_expire), so their page says so."""
    return core_tasks.jobs_expire(ImportJob, message=EXPIRED_MESSAGE, now=now)


def jobs_prune(*, now=None) -> int:
    """Delete jobs older than KEEP with their files (uploads hold ID numbers: they are not kept)."""
    before = (now or timezone.now()) - KEEP
    return core_tasks.jobs_prune(
        ImportJob, before=before, files=("upload", "error_file"), delete=default_storage.delete
    )


def recent_jobs(user, kind: str, *, limit: int = 5) -> list[ImportJob]:
    """The user's latest imports of `kind`, for the upload page (a job left running is found there)."""
    return list(ImportJob.objects.visible_to(user).filter(kind=kind)[:limit])
