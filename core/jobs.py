"""What every background job's row answers the same way: is it running, done, failed, how far along.

The job models (ExportJob, DuesJob, ArchiveJob, ImportJob) each keep their own progress fields and
their own `Status` choices — the words differ (生成中 for a file being built, 处理中 for data being
read) — but share the four values queued / running / done / failed, so these questions are asked once,
here (JobState). What core.tasks stamps on every job row — attempts, the times it was asked for,
started, last heard from and finished, and the message — is declared once too (JobRow, an abstract
model: it adds the columns to each job's own table and has no table of its own; core keeps no tables).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState:
    """For a model with `status` and a nested `Status` with QUEUED, RUNNING, DONE and FAILED."""

    status: str
    Status: type

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)  # type: ignore[attr-defined]

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE  # type: ignore[attr-defined]

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED  # type: ignore[attr-defined]

    def percent_of(self, done: int, total: int) -> int:
        """Progress for the bar: 100 once done, else done ÷ total held below 100 (the last step, saving
        the result, is still to come), 0 while the total is not known yet."""
        if self.is_done:
            return 100
        if not total:
            return 0
        return min(99, done * 100 // total)


class JobRow(JobState, models.Model):
    """The columns every job row has, as core.tasks claims, beats, expires and prunes them."""

    # Stored Chinese text everyone reads: the summary of a done job, or why it failed.
    message = models.TextField(_("说明"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Renewed by the running task (core.tasks: heartbeat=); a running job silent too long is failed.
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)

    class Meta:
        abstract = True
