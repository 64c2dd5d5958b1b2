"""The periodic jobs, in one place, each timed by an environment variable.

config/settings.py sets CELERY_BEAT_SCHEDULE from `beat_schedule()`; django-celery-beat's
DatabaseScheduler (the project's scheduler) installs the entries into its tables when beat starts,
where the admin can also see them. A cron is five fields (minute hour day-of-month month day-of-week)
in CELERY_TIMEZONE; "off" disables the job (the entry stays, disabled, so an earlier enabled copy in
the database is switched off too).
"""

import os
from collections.abc import Mapping

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

# Five days after each quarter ends, the quarter before; on 15 January, the year before; every
# morning at 07:00, the day's reminders and each person's digest (notices); every night, the sign-in
# log's old lines; every minute, the running jobs whose worker died (no heartbeat, core.tasks) and the
# compliance overview's stored gaps of the branches written to (activities.gaps), all anew at night.
DEFAULT_CRONS = {
    "QUARTER_CHECK_CRON": "0 2 5 1,4,7,10 *",
    "RATE_YEAR_CRON": "0 3 15 1 *",
    "NOTICES_CRON": "0 7 * * *",
    "SIGNIN_LOG_PURGE_CRON": "30 3 * * *",
    "STALE_JOBS_CRON": "* * * * *",
    "COMPLIANCE_GAPS_CRON": "* * * * *",
    "COMPLIANCE_GAPS_REBUILD_CRON": "15 4 * * *",
}
# Tasks are named, not imported: a schedule may start a job of an app above this one.
JOBS = {
    "季度检查（上一季度）": ("QUARTER_CHECK_CRON", "assessment.tasks.compute_previous_quarter"),
    "星级评定（上一年度）": ("RATE_YEAR_CRON", "assessment.tasks.rate_previous_year"),
    "每日提醒": ("NOTICES_CRON", "notices.tasks.send_due_notices"),
    # Every night, the sign-in log older than SIGNIN_LOG_RETENTION_DAYS.
    "登录日志清理": ("SIGNIN_LOG_PURGE_CRON", "security.tasks.purge_signin_log"),
    # Every minute, running jobs without a heartbeat for JOB_STALE_SECONDS are marked failed.
    "中断任务检查": ("STALE_JOBS_CRON", "core.tasks.fail_stale_jobs"),
    # Every minute, the compliance overview's stored gaps of the branches written to; every night, all
    # of them anew (activities/gaps.py).
    "三会一课缺项刷新": ("COMPLIANCE_GAPS_CRON", "activities.tasks.refresh_compliance_gaps"),
    "三会一课缺项重建": ("COMPLIANCE_GAPS_REBUILD_CRON", "activities.tasks.rebuild_compliance_gaps"),
}
OFF = {"off", "false", "no", "0", "disabled"}
# A run that could not start within six hours waits for the next one rather than piling up; the
# every-minute sweep within two minutes.
EXPIRE_SECONDS = 6 * 3600
EXPIRE_SECONDS_OF = {"STALE_JOBS_CRON": 120, "COMPLIANCE_GAPS_CRON": 120}


def cron(text: str, variable: str) -> crontab:
    fields = text.split()
    if len(fields) != 5:
        raise ImproperlyConfigured(f"{variable} must be five cron fields or 'off', not {text!r}")
    minute, hour, day_of_month, month_of_year, day_of_week = fields
    try:
        return crontab(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year=month_of_year,
            day_of_week=day_of_week,
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"{variable} is not a valid cron: {text!r} ({exc})") from exc


def beat_schedule(environ: Mapping[str, str] = os.environ) -> dict:
    schedule = {}
    for name, (variable, task) in JOBS.items():
        text = (environ.get(variable) or "").strip() or DEFAULT_CRONS[variable]
        enabled = text.lower() not in OFF
        schedule[name] = {
            "task": task,
            "schedule": cron(text if enabled else DEFAULT_CRONS[variable], variable),
            "options": {"expire_seconds": EXPIRE_SECONDS_OF.get(variable, EXPIRE_SECONDS)},
            # Read by django-celery-beat (a PeriodicTask field); celery's own file scheduler is not used.
            "enabled": enabled,
        }
    return schedule
