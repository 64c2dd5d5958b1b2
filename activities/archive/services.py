"""Building year archives (年度台账): a branch's PDF, or a zip of every branch's PDF under a unit.

Used by the Celery job (archive_build, progress on the ArchiveJob) and by
`manage.py export_archive` (progress printed). Asking for one is activities.archive.jobs.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
import zipfile
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from branches.models import OrgUnit
from core.tasks import job_claim, jobs_expire, jobs_prune, jobs_stale_fail

from ..models import ArchiveJob
from . import document

logger = logging.getLogger(__name__)

FOLDER = "archives"
# Finished archives are kept this long, then deleted with their job.
KEEP = timedelta(days=1)
# A job past Celery's time limit, failed by core.tasks.jobs_expire ({minutes}: the limit).
EXPIRED_MESSAGE = "超过{minutes}分钟仍未完成，后台任务可能已中断，请重新生成"
PROGRESS_INTERVAL = 0.5
# The steps of one branch's archive, as the progress bar names them.
STEPS = ("读取记录", "排版", "写入PDF")


class Progress:
    """Told how far the building has got. The job's reporter stores it; the command prints it."""

    def begin(self, total: int) -> None:
        pass

    def step(self, done: int, text: str) -> None:
        pass


def branches_under(unit: OrgUnit) -> list[OrgUnit]:
    if unit.kind == OrgUnit.Kind.BRANCH:
        return [unit]
    return list(OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH, path__startswith=unit.path).order_by("path"))


def archive_name(branch: OrgUnit, year: int) -> str:
    return f"{branch.name}{year}年度台账.pdf"


def _branch_pdf(branch: OrgUnit, year: int, today: date, progress: Progress, done: int) -> tuple[bytes, int]:
    """One branch's archive: (PDF bytes, pages). Reports three steps after `done`."""
    progress.step(done, f"{branch.name}：{STEPS[0]}")
    context = document.archive_context(branch, year, today=today)
    progress.step(done + 1, f"{branch.name}：{STEPS[1]}（{len(context['records'])} 份记录）")
    laid_out = document.archive_document(context)
    progress.step(done + 2, f"{branch.name}：{STEPS[2]}（{len(laid_out.pages)} 页）")
    return laid_out.write_pdf(), len(laid_out.pages)


def archive_write(
    *, unit: OrgUnit, year: int, out, today: date | None = None, progress: Progress | None = None
) -> tuple[int, int]:
    """Write the archive of `unit`'s year to `out` (a path or a binary file): a branch's PDF, or for
    a general branch or the committee a zip with one PDF per branch. Returns (branches, pages)."""
    today = today or timezone.localdate()
    progress = progress or Progress()
    branches = branches_under(unit)
    progress.begin(len(STEPS) * len(branches))
    pages = 0
    if unit.kind == OrgUnit.Kind.BRANCH:
        content, pages = _branch_pdf(unit, year, today, progress, 0)
        if isinstance(out, str | Path):
            Path(out).write_bytes(content)
        else:
            out.write(content)
    else:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as bundle:  # PDFs are compressed
            for index, branch in enumerate(branches):
                content, n = _branch_pdf(branch, year, today, progress, index * len(STEPS))
                pages += n
                bundle.writestr(f"{branch.code}-{archive_name(branch, year)}", content)
    progress.step(len(STEPS) * len(branches), "")
    return len(branches), pages


# --- the browser's archive: a job, a Celery task, a file under MEDIA_ROOT ---------------------------


class JobProgress(Progress):
    """Stores the progress on the job row, at most every PROGRESS_INTERVAL seconds, for the polling page."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.last = 0.0

    def _store(self, **fields) -> None:
        ArchiveJob.objects.filter(pk=self.job_id, status=ArchiveJob.Status.RUNNING).update(**fields)
        self.last = time.monotonic()

    def begin(self, total: int) -> None:
        self._store(steps_total=total, steps_done=0)

    def step(self, done: int, text: str) -> None:
        if time.monotonic() - self.last >= PROGRESS_INTERVAL:
            self._store(steps_done=done, step=text[:200])


def _path(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def _unlink(name: str) -> None:
    _path(name).unlink(missing_ok=True)


def download_name(job: ArchiveJob) -> str:
    if job.is_zip:
        return f"{job.unit.name}{job.year}年度台账.zip"
    return archive_name(job.unit, job.year)


def archive_build(*, job_id: int) -> ArchiveJob | None:
    """Build a job's archive. Idempotent: a finished, failed or deleted job is left alone, and a job
    run twice (a redelivered task) writes the same file under the same name."""
    if not job_claim(ArchiveJob, job_id, step="", steps_done=0, message=""):
        logger.info("archive job %s: nothing to do (gone, finished or failed)", job_id)
        return None
    job = ArchiveJob.objects.select_related("unit").get(pk=job_id)
    name = f"{FOLDER}/{job.year}-{job.pk}.{'zip' if job.is_zip else 'pdf'}"
    final = _path(name)
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(f"{final.name}.{uuid.uuid4().hex}.part")
    try:
        branches, pages = archive_write(unit=job.unit, year=job.year, out=partial, progress=JobProgress(job.pk))
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    message = f"共 {pages} 页" if not job.is_zip else f"共 {branches} 个支部、{pages} 页"
    ArchiveJob.objects.filter(pk=job.pk).update(
        status=ArchiveJob.Status.DONE,
        file=name,
        size=final.stat().st_size,
        step="",
        steps_done=F("steps_total"),
        finished_at=timezone.now(),
        message=message,
    )
    logger.info("archive job %s: %s, %s", job.pk, name, message)
    return ArchiveJob.objects.select_related("unit").get(pk=job.pk)


def archive_failed(*, job_id: int, message: str) -> None:
    ArchiveJob.objects.filter(pk=job_id).exclude(status=ArchiveJob.Status.DONE).update(
        status=ArchiveJob.Status.FAILED, message=message, finished_at=timezone.now()
    )


def archive_beat(*, job_id: int) -> None:
    ArchiveJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())


def archive_jobs_stale_fail(*, before, message: str) -> int:
    """Fail the archives being built whose worker has given no sign of life since `before`."""
    return jobs_stale_fail(ArchiveJob, before=before, message=message)


def archive_jobs_expire(*, now=None) -> int:
    """Fail the archives no worker can still be building (core.tasks.jobs_expire); a late
    redelivery finds the job failed and leaves it alone."""
    return jobs_expire(ArchiveJob, message=EXPIRED_MESSAGE, now=now)


def archive_jobs_prune(*, now=None) -> int:
    """Delete archives older than KEEP, with their files. Returns how many jobs went."""
    return jobs_prune(ArchiveJob, before=(now or timezone.now()) - KEEP, files=("file",), delete=_unlink)
