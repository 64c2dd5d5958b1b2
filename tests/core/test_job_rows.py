"""What every job row with a page (core.jobs.JobState) does the same way, kind by kind: claimed by its
task (core.tasks.job_claim), failed past Celery's time limit (core.tasks.jobs_expire, through each
app's `…_expire`), failed when silent past the heartbeat window (core.tasks.jobs_stale_fail,
through each task's `fail_stale` and the sweep), and deleted with its files after a day
(core.tasks.jobs_prune, through each app's `…_prune`).

Every JobState model is listed here, so a new kind of job left out of any of them fails this file.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from activities.archive import services as archive_services
from activities.models import ArchiveJob
from assessment.models import ExportJob
from assessment.yearbook import services as yearbook_services
from core.jobs import JobState
from core.tasks import STALE_MESSAGE, job_claim, stale_jobs_fail
from dues import jobs as dues_jobs
from dues.models import DuesJob
from imports import jobs as import_jobs
from imports.models import ImportJob

# Each kind: what a row needs, its expiry, and the words it fails with past a 10-minute limit.
# (Its pruning and the file fields that go with it: PRUNES below.)
KINDS = {
    ExportJob: (lambda org: {"year": 2025}, yearbook_services.export_jobs_expire, "请重新导出"),
    ArchiveJob: (lambda org: {"year": 2025, "unit": org.branch}, archive_services.archive_jobs_expire, "请重新生成"),
    DuesJob: (lambda org: {"kind": DuesJob.Kind.EXPORT}, dues_jobs.jobs_expire, "请重新提交"),
    ImportJob: (lambda org: {"kind": ImportJob.Kind.ROSTER}, import_jobs.jobs_expire, "未导入任何数据，请重新上传"),
}


PRUNES = {
    ExportJob: (yearbook_services.export_jobs_prune, ("file",)),
    ArchiveJob: (archive_services.archive_jobs_prune, ("file",)),
    DuesJob: (dues_jobs.jobs_prune, ("file", "upload")),
    ImportJob: (import_jobs.jobs_prune, ("upload", "error_file")),
}


def test_every_job_model_is_covered():
    job_models = {model for model in apps.get_models() if issubclass(model, JobState)}
    assert job_models == set(KINDS) == set(PRUNES)


def _job(model, org, *, status, **fields):
    return model.objects.create(requested_by=org.committee_user, status=status, **KINDS[model][0](org), **fields)


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(KINDS), ids=lambda model: model.__name__)
def test_jobs_past_the_time_limit_fail_with_their_kind_s_words(model, org, settings):
    settings.CELERY_TASK_TIME_LIMIT = 600
    now = timezone.now()
    dead = _job(model, org, status="running", started_at=now - timedelta(minutes=11))
    alive = _job(model, org, status="running", started_at=now - timedelta(minutes=9))
    never_picked_up = _job(model, org, status="queued")
    waiting = _job(model, org, status="queued")
    done = _job(model, org, status="done", started_at=now - timedelta(hours=2), message="共 3 行")
    model.objects.filter(pk__in=[never_picked_up.pk, done.pk]).update(created_at=now - timedelta(minutes=11))
    expire, advice = KINDS[model][1], KINDS[model][2]

    assert expire(now=now) == 2

    rows = {
        pk: (status, message, finished)
        for pk, status, message, finished in model.objects.values_list("pk", "status", "message", "finished_at")
    }
    expired = ("failed", f"超过10分钟仍未完成，后台任务可能已中断，{advice}", now)
    assert rows[dead.pk] == rows[never_picked_up.pk] == expired
    assert rows[alive.pk] == ("running", "", None)
    assert rows[waiting.pk] == ("queued", "", None)
    assert rows[done.pk] == ("done", "共 3 行", None)
    assert expire(now=now) == 0  # safe to run again


@pytest.mark.django_db
def test_the_sweep_fails_the_silent_running_jobs_of_every_kind(org, settings):
    settings.JOB_STALE_SECONDS = 180
    now = timezone.now()
    silent, beating = now - timedelta(seconds=181), now - timedelta(seconds=30)
    jobs = {
        model: (
            _job(
                model, org, status="running", heartbeat_at=silent, **({"stage": "写入"} if model is ImportJob else {})
            ),
            _job(model, org, status="running", heartbeat_at=beating),
        )
        for model in KINDS
    }

    assert stale_jobs_fail(now=now) == len(KINDS)

    for model, (dead, alive) in jobs.items():
        dead.refresh_from_db()
        assert (dead.status, dead.finished_at is not None) == ("failed", True), model.__name__
        assert model.objects.get(pk=alive.pk).status == "running", model.__name__
    # An import says nothing of it was written, and no longer shows the step it died in.
    assert jobs[ImportJob][0].message == f"{STALE_MESSAGE}；未导入任何数据" and jobs[ImportJob][0].stage == ""
    assert {jobs[model][0].message for model in (ExportJob, ArchiveJob, DuesJob)} == {STALE_MESSAGE}


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(KINDS), ids=lambda model: model.__name__)
def test_a_task_claims_a_queued_or_redelivered_job_and_leaves_finished_ones_alone(model, org):
    queued = _job(model, org, status="queued")
    redelivered = _job(model, org, status="running", attempts=1, message="上次的进度")
    finished = {status: _job(model, org, status=status, message="原样") for status in ("done", "failed")}
    before = timezone.now()

    assert job_claim(model, queued.pk) and job_claim(model, redelivered.pk, message="")

    for job, attempts in ((queued, 1), (redelivered, 2)):
        job.refresh_from_db()
        assert (job.status, job.attempts, job.message) == ("running", attempts, "")
        assert job.started_at == job.heartbeat_at and job.started_at >= before
    for job in finished.values():
        assert not job_claim(model, job.pk, message="")
        assert model.objects.filter(pk=job.pk, message="原样", attempts=0, started_at=None).exists()
    assert not job_claim(model, 0)  # gone


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(PRUNES), ids=lambda model: model.__name__)
def test_jobs_older_than_a_day_go_with_their_files(model, org):
    prune, fields = PRUNES[model]
    now = timezone.now()
    media = Path(settings.MEDIA_ROOT)

    def job_with_files(tag: str):
        names = {field: f"jobs-test/{model.__name__}-{tag}-{field}.xlsx" for field in fields}
        for name in names.values():
            (media / name).parent.mkdir(parents=True, exist_ok=True)
            (media / name).write_bytes(b"x")
        return _job(model, org, status="done", **names), [media / name for name in names.values()]

    old, old_files = job_with_files("old")
    recent, recent_files = job_with_files("recent")
    bare = _job(model, org, status="failed")  # no file at all
    model.objects.filter(pk__in=[old.pk, bare.pk]).update(created_at=now - timedelta(days=1, minutes=1))

    assert prune(now=now) == 2

    assert list(model.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not any(path.exists() for path in old_files)
    assert all(path.exists() for path in recent_files)
    for path in recent_files:
        path.unlink()
