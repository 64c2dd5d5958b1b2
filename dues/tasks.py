"""The dues workbook's Celery task: thin, takes the job id, retries a database hiccup a bounded number
of times (assessment/yearbook/tasks.py's shape)."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import jobs

logger = logging.getLogger(__name__)

MAX_RETRIES = 3
TRANSIENT = (OperationalError, InterfaceError)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def run_job(self, job_id: int):
    try:
        job = jobs.job_run(job_id=job_id)
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            logger.exception("dues job %s: database error, giving up", job_id)
            jobs.job_failed(job_id=job_id, message=f"数据库错误，已重试 {MAX_RETRIES} 次，请稍后重新提交")
            return None
        logger.warning("dues job %s: %s, retrying", job_id, exc)
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc
    except Exception:
        # Not worth retrying (a bug, a full disk): say so on the page rather than spin for ever.
        logger.exception("dues job %s failed", job_id)
        jobs.job_failed(job_id=job_id, message="处理失败，请稍后重新提交；如仍失败，请联系系统管理员")
        return None
    return job.message if job else None
