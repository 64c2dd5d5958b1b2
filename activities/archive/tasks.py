"""The year archive's Celery task: thin, takes the job id; retries and failures follow core.tasks."""

from core.tasks import job_task

from . import services


def _archive_failed(job_id: int, *, message: str) -> None:
    services.archive_failed(job_id=job_id, message=message)


def _archive_beat(job_id: int) -> None:
    services.archive_beat(job_id=job_id)


@job_task(
    record_failure=_archive_failed,
    heartbeat=_archive_beat,
    fail_stale=services.archive_jobs_stale_fail,
    gave_up_message="数据库错误，已重试 {retries} 次，请稍后重新生成",
    error_message="生成失败，请稍后重新生成；如仍失败，请联系系统管理员",
)
def build_archive(self, job_id: int) -> str | None:
    job = services.archive_build(job_id=job_id)
    return job.message if job else None
