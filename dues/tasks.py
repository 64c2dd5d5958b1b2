"""The dues workbook's Celery task: thin, takes the job id; retries and failures follow core.tasks."""

from core.tasks import job_task

from . import jobs


def _job_failed(job_id: int, *, message: str) -> None:
    jobs.job_failed(job_id=job_id, message=message)


def _job_beat(job_id: int) -> None:
    jobs.job_beat(job_id=job_id)


@job_task(
    record_failure=_job_failed,
    heartbeat=_job_beat,
    fail_stale=jobs.jobs_stale_fail,
    gave_up_message="数据库错误，已重试 {retries} 次，请稍后重新提交",
    # Not worth retrying (a bug, a full disk): say so on the page rather than spin for ever.
    error_message="处理失败，请稍后重新提交；如仍失败，请联系系统管理员",
)
def run_job(self, job_id: int) -> str | None:
    job = jobs.job_run(job_id=job_id)
    return job.message if job else None
