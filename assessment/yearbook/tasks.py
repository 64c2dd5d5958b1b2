"""The export's Celery task: thin, takes the job id, retries a database hiccup a bounded number of times."""

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services

logger = logging.getLogger(__name__)

MAX_RETRIES = 3
TRANSIENT = (OperationalError, InterfaceError)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def build_export(self, job_id: int):
    try:
        job = services.export_build(job_id=job_id)
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            logger.exception("export job %s: database error, giving up", job_id)
            services.export_failed(job_id=job_id, message=f"数据库错误，已重试 {MAX_RETRIES} 次，请稍后重新导出")
            return None
        logger.warning("export job %s: %s, retrying", job_id, exc)
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc
    except Exception:
        # Not worth retrying (a bug, a full disk): say so on the page rather than spin for ever.
        logger.exception("export job %s failed", job_id)
        services.export_failed(job_id=job_id, message="生成失败，请稍后重新导出；如仍失败，请联系系统管理员")
        return None
    return job.message if job else None
