"""The jobs: enqueued after commit, refusals recorded, schedules from the environment, a real worker."""

import time
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from assessment import jobs, tasks
from assessment.models import QuarterCheck, Score, StarHistory, YearRating
from assessment.schedules import beat_schedule
from config.celery import app as celery_app
from core.periods import previous_quarter


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 1, 5), (2024, 4)),
        (date(2025, 4, 5), (2025, 1)),
        (date(2025, 9, 30), (2025, 2)),
        (date(2025, 12, 31), (2025, 3)),
    ],
)
def test_the_scheduled_check_takes_the_quarter_before(day, expected):
    assert previous_quarter(day) == expected


def test_schedules_come_from_the_environment():
    default = beat_schedule({})
    quarterly, yearly = default["季度检查（上一季度）"], default["星级评定（上一年度）"]
    assert quarterly["task"] == "assessment.tasks.compute_previous_quarter"
    assert (quarterly["schedule"].month_of_year, quarterly["schedule"].day_of_month) == ({1, 4, 7, 10}, {5})
    assert (yearly["schedule"].month_of_year, yearly["schedule"].day_of_month, yearly["schedule"].hour) == (
        {1},
        {15},
        {3},
    )
    assert quarterly["enabled"] and yearly["enabled"]
    changed = beat_schedule({"QUARTER_CHECK_CRON": "30 1 10 1,4,7,10 *", "RATE_YEAR_CRON": "off"})
    assert changed["季度检查（上一季度）"]["schedule"].day_of_month == {10}
    assert changed["星级评定（上一年度）"]["enabled"] is False
    with pytest.raises(ImproperlyConfigured, match="QUARTER_CHECK_CRON"):
        beat_schedule({"QUARTER_CHECK_CRON": "every day"})
    with pytest.raises(ImproperlyConfigured, match="RATE_YEAR_CRON"):
        beat_schedule({"RATE_YEAR_CRON": "0 3 45 1 *"})


@pytest.mark.django_db
def test_beat_installs_the_schedules_and_a_disabled_one_stays_off():
    # What DatabaseScheduler.update_from_dict does with CELERY_BEAT_SCHEDULE when beat starts.
    for name, entry in beat_schedule({"RATE_YEAR_CRON": "off"}).items():
        DatabaseScheduler.Entry.from_entry(name, app=celery_app, **entry)
    quarterly = PeriodicTask.objects.get(name="季度检查（上一季度）")
    assert (quarterly.task, quarterly.enabled, quarterly.crontab.month_of_year) == (
        "assessment.tasks.compute_previous_quarter",
        True,
        "1,4,7,10",
    )
    assert PeriodicTask.objects.get(name="星级评定（上一年度）").enabled is False


@pytest.mark.django_db
def test_a_request_runs_its_job_only_after_commit(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        check = jobs.quarter_check_request(year=2025, quarter=1, today=date(2025, 4, 5))
    assert check.status == "queued" and not Score.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: in the embedded default the task runs in-process
    check.refresh_from_db()
    assert check.status == "done"
    assert Score.objects.filter(quarter=1).exists()


@pytest.mark.django_db
def test_a_refused_job_records_why(org):
    YearRating.objects.create(year=2025, status=YearRating.Status.APPROVED)
    assert tasks.compute_quarter.delay(2025, 1).get() is None
    check = QuarterCheck.objects.get(year=2025, quarter=1)
    assert (check.status, check.message) == ("failed", "2025年度星级评定已审批，不能再修改；如需修改，请先撤销审批")
    this_year = timezone.localdate().year
    tasks.rate_year.delay(this_year).get()
    assert YearRating.objects.get(year=this_year).job_status == "failed"
    assert "尚未结束" in YearRating.objects.get(year=this_year).job_message
    with pytest.raises(ValidationError, match="已审批"):
        jobs.quarter_check_request(year=2025, quarter=1, today=date(2025, 4, 5))


@pytest.mark.django_db
def test_the_commands_run_the_year_end_to_end(org, capsys):
    call_command("compute_quarter", "--year", "2024", "--quarter", "2")
    assert "2024年第2季度检查：计算了 2 个支部" in capsys.readouterr().out
    call_command("rate_year", "--year", "2024")
    assert "已为 2 个支部生成评定结果" in capsys.readouterr().out
    assert set(QuarterCheck.objects.values_list("quarter", flat=True)) == {1, 2, 3, 4}
    with pytest.raises(CommandError, match="不是机关党委工作人员"):
        call_command("approve_year", "--year", "2024", "--by", "secretary")
    with pytest.raises(CommandError, match="找不到用户"):
        call_command("approve_year", "--year", "2024", "--by", "nobody")
    with pytest.raises(CommandError, match="公示期须为 5–30 个工作日，不能是 3"):
        call_command("approve_year", "--year", "2024", "--by", "committee_user", "--days", "3")
    call_command("approve_year", "--year", "2024", "--by", "committee_user", "--days", "7")
    out = capsys.readouterr().out
    assert "2024年度星级评定已审批" in out and "公示 7 个工作日" in out
    assert YearRating.objects.get(year=2024).is_approved
    assert not StarHistory.objects.exists()  # neither branch applied: both lagging, no level
    with pytest.raises(CommandError, match="已审批"):
        call_command("rate_year", "--year", "2024")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_computes_a_quarter_sent_through_redis(org, live_worker):
    assert celery_app.conf.broker_url.startswith("redis://")
    jobs.quarter_check_request(year=2025, quarter=1, today=date(2025, 4, 5))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        check = QuarterCheck.objects.get(year=2025, quarter=1)
        if check.status in ("done", "failed"):
            break
        time.sleep(0.2)
    assert check.status == "done", check.message
    first = sorted(Score.objects.values_list("pk", "computed"))
    assert len(first) == 2 * 8
    # The same job again, through the broker: the same rows.
    result = tasks.compute_quarter.delay(2025, 1)
    assert "共 16 条得分" in result.get(timeout=30)
    assert sorted(Score.objects.values_list("pk", "computed")) == first


def _job_results(year: int) -> tuple[list, list]:
    from assessment.models import BranchRating

    scores = sorted(
        Score.objects.filter(quarter__in=[0, 4]).values_list(
            "branch_id", "indicator_id", "quarter", "computed", "computed_note"
        )
    )
    lines = sorted(
        BranchRating.objects.filter(rating__year=year).values_list(
            "branch_id", "q1", "q2", "q3", "q4", "annual", "score", "aspects", "proposed_level", "action", "reasons"
        )
    )
    return scores, lines


@pytest.mark.django_db(transaction=True)
def test_the_jobs_reading_aside_score_and_rate_as_they_do_alone(monkeypatch):
    """With read_aside the pledges and notes, and the quarters' scores, are read on a second
    connection (core.aside) while the rest is read on the job's: the same scores and proposal. The
    quarters are committed first, as they are when the year is rated (the aside sees committed rows)."""
    from django.db import transaction

    from assessment.services import checks, ratings
    from core import aside

    year = 2025
    call_command("seed_scale", "--branches", "3", "--year", str(year))
    for quarter in (1, 2, 3, 4):
        checks.quarter_compute(year=year, quarter=quarter, read_aside=False)
    started = []
    real = aside.read_aside
    monkeypatch.setattr(aside, "read_aside", lambda read: started.append(read) or real(read))
    results = {}
    for read_aside in (False, True):
        with transaction.atomic():
            checks.quarter_compute(year=year, quarter=4, read_aside=read_aside)
            ratings.year_propose(year=year, read_aside=read_aside)
            results[read_aside] = _job_results(year)
            transaction.set_rollback(True)
    assert len(started) == 3  # the quarter's pledges and notes, the year's pledges, the quarters' scores
    assert results[True] == results[False]
    scores, lines = results[True]
    assert len(lines) == 3 and len({line[6] for line in lines}) > 1  # scored, not all alike
    assert {note.split(" ")[0] for *_, note in scores} >= {"C2", "C5", "E1"}  # the codes read aside
    # Outside a transaction (as the task runs) the job reads aside by itself, and commits the same.
    started.clear()
    ratings.year_propose(year=year)
    assert len(started) == 2 and _job_results(year)[1] == lines
