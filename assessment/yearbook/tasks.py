"""The export's Celery task: thin, takes the job id; retries and failures follow core.tasks."""

from core.tasks import job_task

from . import services


def _export_failed(job_id: int, *, message: str) -> None:
    services.export_failed(job_id=job_id, message=message)


def _export_beat(job_id: int) -> None:
    services.export_beat(job_id=job_id)


@job_task(
    record_failure=_export_failed,
    heartbeat=_export_beat,
    fail_stale=services.export_jobs_stale_fail,
    gave_up_message="数据库错误，已重试 {retries} 次，请稍后重新导出",
    # Not worth retrying (a bug, a full disk): say so on the page rather than spin for ever.
    error_message="生成失败，请稍后重新导出；如仍失败，请联系系统管理员",
)
def build_export(self, job_id: int) -> str | None:
    job = services.export_build(job_id=job_id)
    return job.message if job else None
