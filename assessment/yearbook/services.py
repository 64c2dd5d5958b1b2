"""The year-end workbook: writing it (command line and Celery job), and cleaning up after it.

Asking for it is assessment.yearbook.jobs.export_request.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.access import scope_for
from branches.models import OrgUnit
from core.bulk import EXPORT_SETTINGS, session_settings
from core.spreadsheets import new_workbook, write_sheet
from core.tasks import job_claim, jobs_expire, jobs_prune, jobs_stale_fail

from ..models import ExportJob
from . import selectors
from . import workbook as wb
from .workbook import Branch

logger = logging.getLogger(__name__)

# Finished exports are kept this long, then their files are deleted with the job.
KEEP = timedelta(days=1)
# A job past Celery's time limit, failed by core.tasks.jobs_expire ({minutes}: the limit).
EXPIRED_MESSAGE = "超过{minutes}分钟仍未完成，后台任务可能已中断，请重新导出"
# Progress is written to the job at most this often (seconds), and at the end of every sheet.
PROGRESS_INTERVAL = 0.5
FOLDER = "yearbook"


class Progress:
    """Told how far the writing has got. The job's reporter stores it; the command prints it."""

    def begin(self, expected: dict[str, int]) -> None:
        pass

    def rows(self, index: int, title: str, written: int) -> None:
        pass

    def sheet_done(self, index: int, title: str, written: int) -> None:
        pass


def _summary_rows(year: int, branches: list[Branch], include_proposals: bool) -> Iterator[list]:
    status = selectors.year_status(year)
    veto = selectors.veto_aspect(year)
    for chunk in selectors.chunks(branches):
        lines = selectors.summary_lines(year, chunk, status=status, include_proposals=include_proposals, veto=veto)
        for b in chunk:
            yield wb.summary_row(b, lines[b.id])


def _indicator_rows(year: int, branches: list[Branch], indicators: list[wb.IndicatorInfo]) -> Iterator[list]:
    if not indicators:
        return
    layout = wb.indicator_layout(indicators)
    unscored = wb.BranchScores()
    for chunk in selectors.chunks(branches):
        scores = selectors.branch_scores(year, chunk)
        documents = selectors.supporting_documents(year, chunk)
        for b in chunk:
            yield from wb.indicator_rows(b, layout, scores.get(b.id, unscored), documents.get(b.id))


def _meeting_rows(year: int, branches: list[Branch]) -> Iterator[list]:
    for chunk in selectors.chunks(branches):
        tallies = selectors.meeting_tallies(year, chunk)
        for b in chunk:
            yield from wb.meeting_rows(b, tallies.get(b.id, {}))


def _member_rows(year: int, branches: list[Branch]) -> Iterator[list]:
    for chunk in selectors.chunks(branches):
        for line in selectors.member_lines(year, chunk):
            yield wb.member_row(line)


def _problem_rows(year: int, branches: list[Branch], today: date) -> Iterator[list]:
    for chunk in selectors.chunks(branches):
        for code, description, found_on, deadline, closed_on in selectors.problems(year, chunk):
            yield wb.problem_row(code, description, found_on, deadline, closed_on, today)


def _history_rows(year: int, branches: list[Branch], years: list[int]) -> Iterator[list]:
    for chunk in selectors.chunks(branches):
        levels = selectors.history_levels(year, chunk)
        for b in chunk:
            yield wb.history_row(b, levels.get(b.id, {}), years)


def sheets(
    year: int,
    unit: OrgUnit | None,
    branches: list[Branch],
    indicators: list[wb.IndicatorInfo],
    include_proposals: bool,
    today: date,
) -> list[tuple[wb.SheetSpec, Iterator[list]]]:
    """Each sheet's spec and its rows, read lazily: nothing is fetched until the rows are iterated."""
    years = selectors.history_years(year, unit)
    return [
        (wb.SUMMARY, _summary_rows(year, branches, include_proposals)),
        (wb.INDICATORS, _indicator_rows(year, branches, indicators)),
        (wb.MEETINGS, _meeting_rows(year, branches)),
        (wb.MEMBERS, _member_rows(year, branches)),
        (wb.PROBLEMS, _problem_rows(year, branches, today)),
        (wb.history_spec(years), _history_rows(year, branches, years)),
    ]


def workbook_write(
    *,
    year: int,
    out,
    unit: OrgUnit | None = None,
    include_proposals: bool = True,
    today: date | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write the year's workbook to `out` (a path or a binary file); returns the rows per sheet.

    `unit` limits it to the branches under that unit (their rows only, the same sheets);
    `include_proposals` shows a rating not yet approved (the committee's view).
    """
    today = today or timezone.localdate()
    progress = progress or Progress()
    branches = selectors.branches_under(unit)
    indicators = selectors.indicators(year)
    progress.begin(selectors.expected_rows(year, unit, len(branches), len(indicators)))
    title = wb.workbook_title(year) + (f"（{unit.name}）" if unit is not None else "")
    book = new_workbook()
    counts = {}
    with session_settings(EXPORT_SETTINGS):
        for index, (spec, rows) in enumerate(sheets(year, unit, branches, indicators, include_proposals, today)):
            counts[spec.title] = write_sheet(
                book,
                spec.title,
                spec.headers,
                rows,
                widths=spec.widths,
                print_title=f"{title} · {spec.title}",
                on_row=lambda n, index=index, name=spec.title: progress.rows(index, name, n),
            )
            progress.sheet_done(index, spec.title, counts[spec.title])
    book.save(out)
    return counts


# --- the browser's export: a job, a Celery task, a file under MEDIA_ROOT ------------------------------


def export_scope_error(user, unit: OrgUnit | None) -> str | None:
    """Why this user may not export this part (None: they may)."""
    scope = scope_for(user)
    if scope.is_committee:
        return None
    if not scope.is_manager:
        return _("只有机关党委和党组织书记可以导出年度考核表")
    if unit is None:
        return _("请选择导出哪个党组织的考核表")
    if not scope.can_manage(unit):
        return _("只能导出本党组织的考核表")
    return None


class JobProgress(Progress):
    """Stores the progress on the job row, at most every PROGRESS_INTERVAL seconds, for the polling page."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.done_before = 0  # rows of the sheets already finished
        self.last = 0.0

    def _store(self, **fields) -> None:
        ExportJob.objects.filter(pk=self.job_id, status=ExportJob.Status.RUNNING).update(**fields)
        self.last = time.monotonic()

    def begin(self, expected: dict[str, int]) -> None:
        self._store(rows_total=sum(expected.values()), sheet=wb.SHEET_TITLES[0])

    def rows(self, index: int, title: str, written: int) -> None:
        if time.monotonic() - self.last >= PROGRESS_INTERVAL:
            self._store(sheet=title, sheets_done=index, rows_done=self.done_before + written)

    def sheet_done(self, index: int, title: str, written: int) -> None:
        self.done_before += written
        following = wb.SHEET_TITLES[index + 1] if index + 1 < len(wb.SHEET_TITLES) else ""
        self._store(sheet=following, sheets_done=index + 1, rows_done=self.done_before)


def _path(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def _unlink(name: str) -> None:
    _path(name).unlink(missing_ok=True)


def export_build(*, job_id: int) -> ExportJob | None:
    """Build a job's workbook. Idempotent: a finished, failed or deleted job is left alone, and a
    job run twice (a redelivered task) writes the same file under the same name."""
    if not job_claim(ExportJob, job_id, sheet="", sheets_done=0, rows_done=0, message=""):
        logger.info("export job %s: nothing to do (gone, finished or failed)", job_id)
        return None
    job = ExportJob.objects.select_related("unit").get(pk=job_id)
    name = f"{FOLDER}/{job.year}-{job.pk}.xlsx"
    final = _path(name)
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(f"{final.name}.{uuid.uuid4().hex}.part")
    try:
        counts = workbook_write(
            year=job.year,
            out=partial,
            unit=job.unit,
            include_proposals=job.include_proposals,
            progress=JobProgress(job.pk),
        )
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    rows = sum(counts.values())
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        file=name,
        size=final.stat().st_size,
        sheet="",
        sheets_done=len(counts),
        rows_done=rows,
        finished_at=timezone.now(),
        message=f"共 {len(counts)} 个工作表、{rows} 行",
    )
    logger.info("export job %s: %s, %s rows", job.pk, name, rows)
    return ExportJob.objects.get(pk=job.pk)


def export_failed(*, job_id: int, message: str) -> None:
    ExportJob.objects.filter(pk=job_id).exclude(status=ExportJob.Status.DONE).update(
        status=ExportJob.Status.FAILED, message=message, finished_at=timezone.now()
    )


def export_beat(*, job_id: int) -> None:
    ExportJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())


def export_jobs_stale_fail(*, before, message: str) -> int:
    """Fail the exports being built whose worker has given no sign of life since `before`."""
    return jobs_stale_fail(ExportJob, before=before, message=message)


def export_jobs_expire(*, now=None) -> int:
    """Fail the exports no worker can still be building (core.tasks.jobs_expire); a late
    redelivery finds the job failed and leaves it alone (export_build)."""
    return jobs_expire(ExportJob, message=EXPIRED_MESSAGE, now=now)


def export_jobs_prune(*, now=None) -> int:
    """Delete exports older than KEEP, with their files. Returns how many jobs went."""
    return jobs_prune(ExportJob, before=(now or timezone.now()) - KEEP, files=("file",), delete=_unlink)


def download_name(job: ExportJob) -> str:
    return f"{job.year}年度考核表" + (f"-{job.unit.name}" if job.unit is not None else "") + ".xlsx"
