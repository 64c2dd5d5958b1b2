"""The ledger import's Celery task: thin, takes the job id; retries and failures follow core.tasks."""

from core.tasks import job_task
from imports import jobs
from imports.tasks import POLICY

from . import gaps, ledger_io


@job_task(**POLICY)
def run_ledger_import(self, job_id: int) -> str | None:
    job = jobs.job_run(job_id=job_id, runner=ledger_io.ledger_job)
    return job.message if job else None


@job_task()
def refresh_compliance_gaps(self) -> int:
    """Every minute (COMPLIANCE_GAPS_CRON): the stored gaps of the branches written to (activities.gaps)."""
    return gaps.gaps_refresh()


@job_task()
def rebuild_compliance_gaps(self) -> int:
    """Every night (COMPLIANCE_GAPS_REBUILD_CRON): every kept year's gaps anew, the old years dropped."""
    return gaps.gaps_rebuild_all()
