"""The recruits import's Celery task: thin, takes the job id; retries and failures follow core.tasks."""

from core.tasks import job_task
from imports import jobs
from imports.tasks import POLICY

from . import recruit_io


@job_task(**POLICY)
def run_recruit_import(self, job_id: int) -> str | None:
    job = jobs.job_run(job_id=job_id, runner=recruit_io.recruit_job)
    return job.message if job else None
