"""What every background job's row answers the same way: is it running, done, failed, how far along.

The job models (ExportJob, DuesJob, ArchiveJob, ImportJob) each keep their own fields and their own
`Status` choices — the words differ (生成中 for a file being built, 处理中 for data being read) — but
share the four values queued / running / done / failed, so these questions are asked once, here. A
plain mixin, no fields: mixing it in changes no table.
"""


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
