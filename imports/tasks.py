"""No task of its own: each app declares the task of its import (members.tasks.run_roster_import, …)
with core.tasks.job_task(**imports.tasks.POLICY) (failure record, heartbeat, sweep), and calls jobs.job_run
with its runner. This module holds what those tasks share."""

from typing import Any

from . import jobs

GAVE_UP_MESSAGE = "数据库错误，已重试 {retries} 次，未导入任何数据，请稍后重新上传"
# Not worth retrying (a bug, a full disk): say so on the page rather than spin for ever.
ERROR_MESSAGE = "导入出错，未导入任何数据；请稍后重新上传，如仍失败请联系系统管理员"


def record_failure(job_id: int, *, message: str) -> None:
    jobs.job_failed(job_id=job_id, message=message)


def heartbeat(job_id: int) -> None:
    jobs.job_beat(job_id=job_id)


fail_stale = jobs.jobs_stale_fail

# What every import task passes to core.tasks.job_task.
POLICY: dict[str, Any] = {
    "record_failure": record_failure,
    "heartbeat": heartbeat,
    "fail_stale": fail_stale,
    "gave_up_message": GAVE_UP_MESSAGE,
    "error_message": ERROR_MESSAGE,
}
