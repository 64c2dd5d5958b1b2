"""The year archive (年度台账): the demo branch's year as one PDF (cover, contents, every submitted record
in date order, the four quarters, page numbers); the job, its page and who may download; the zip; the command."""

import io
import re
import shutil
import subprocess
import zipfile
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from activities.archive import services
from activities.models import ArchiveJob, Meeting
from demo.meetings import seed_meetings
from demo.org import DEMO_BRANCH, seed_org_and_roster
from tests.factories import log_meeting, make_member

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils comes with scripts/test.sh")

TODAY = date(2026, 3, 20)
YEAR = 2025


def pages_of(path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def test_the_demo_branchs_year_is_one_pdf_whose_contents_match_its_records(db, tmp_path):
    org = seed_org_and_roster(TODAY)
    seed_meetings(TODAY, org)
    branch = org.unit(DEMO_BRANCH)
    submitted = list(Meeting.objects.submitted().filter(branch=branch, held_on__year=YEAR).order_by("held_at", "pk"))
    assert len(submitted) > 20
    assert Meeting.objects.filter(branch=branch, held_on__year=YEAR).exclude(status="submitted").exists()

    out = tmp_path / "archive.pdf"
    call_command("export_archive", unit=DEMO_BRANCH, year=YEAR, out=str(out), quiet=True)
    pages = pages_of(out)
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1) == str(len(pages))
    # Cover, then the contents (maybe more than one page), then one record per page or more, then the quarters.
    assert f"{YEAR}年度台账" in pages[0] and branch.name in pages[0] and f"三会一课记录 {len(submitted)} 份" in pages[0]
    assert "目录" in pages[1]
    first_record = next(i for i, page in enumerate(pages) if "召开单位" in page)
    contents = "".join(pages[1:first_record])
    # Every page carries its number: "n / total".
    for number, page in enumerate(pages, start=1):
        assert f"{number} / {len(pages)}" in page
    # The contents list every submitted record, in date order, with the page it starts on.
    starts = []
    for meeting in submitted:
        line = next(
            (row for row in contents.splitlines() if f"{meeting.held_on:%Y-%m-%d}" in row and meeting.topic[:8] in row),
            None,
        )
        assert line is not None, meeting
        page_number = int(re.findall(r"(\d+)\s*$", line)[0])
        starts.append(page_number)
        page = pages[page_number - 1]
        assert meeting.topic in page.replace("\n", "").replace(" ", "") or meeting.topic[:10] in page
        assert "签到表" in "".join(pages[page_number - 1 : page_number + 3])
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    # Drafts and returned records are not in the archive.
    for meeting in Meeting.objects.filter(branch=branch, held_on__year=YEAR).exclude(status="submitted"):
        assert meeting.topic not in contents or any(meeting.topic == m.topic for m in submitted)
    # The last part: the four quarters' compliance.
    last = pages[-1] if "三会一课完成情况" in pages[-1] else pages[-2]
    for quarter in ("第1季度", "第2季度", "第3季度", "第4季度"):
        assert quarter in last


def test_asking_for_an_archive_builds_it_with_a_job_and_the_branch_and_committee_download_it(
    org, login, django_capture_on_commit_callbacks, tmp_path
):
    log_meeting(org.branch, Meeting.Kind.GENERAL_MEETING, date(2025, 3, 6), topic="一季度党员大会")
    log_meeting(org.group, Meeting.Kind.GROUP_MEETING, date(2025, 4, 8), topic="小组学习")
    make_member(org.other_branch, name="王五")
    log_meeting(org.other_branch, Meeting.Kind.GENERAL_MEETING, date(2025, 3, 7), topic="别的支部的会")
    client = login(org.secretary)
    ledger = client.get(reverse("activities:ledger", args=[org.branch.pk]), {"year": 2025}).content.decode()
    assert 'id="year-archive"' in ledger
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("activities:archive_start"), {"unit": org.branch.pk, "year": 2025})
    job = ArchiveJob.objects.get()
    assert response.url == reverse("activities:archive_job", args=[job.pk])
    assert (job.status, job.steps_done, job.steps_total) == ("done", 3, 3) and job.message.endswith("页")
    page = client.get(response.url).content.decode()
    assert reverse("activities:archive_download", args=[job.pk]) in page and "hx-get" not in page
    for user in (org.secretary, org.general_secretary, org.committee_user):
        download = login(user).get(reverse("activities:archive_download", args=[job.pk]))
        assert download.status_code == 200
    content = b"".join(download.streaming_content)
    (tmp_path / "a.pdf").write_bytes(content)
    text = "".join(pages_of(tmp_path / "a.pdf"))
    assert "一季度党员大会" in text and "小组学习" in text and "别的支部的会" not in text
    # Outsiders, the group leader and members get 404 for the job, its progress and its file.
    for user in (org.outsider, org.group_leader, org.member_user):
        for name in ("activities:archive_job", "activities:archive_progress", "activities:archive_download"):
            assert login(user).get(reverse(name, args=[job.pk])).status_code == 404


def test_a_secretary_cannot_archive_another_branch_nor_zip_a_general_branch(org, login):
    client = login(org.secretary)
    assert (
        client.post(reverse("activities:archive_start"), {"unit": org.other_branch.pk, "year": 2025}).status_code == 404
    )
    assert client.post(reverse("activities:archive_start"), {"unit": org.general.pk, "year": 2025}).status_code == 404
    general = login(org.general_secretary)
    response = general.post(reverse("activities:archive_start"), {"unit": org.general.pk, "year": 2025}, follow=True)
    assert "只有机关党委可以打包" in response.content.decode()
    client = login(org.secretary)
    response = client.post(reverse("activities:archive_start"), {"unit": org.branch.pk, "year": 1990}, follow=True)
    assert "年度须在" in response.content.decode()
    assert not ArchiveJob.objects.exists()


def test_the_committee_zips_every_branch_of_the_organ(org, login, django_capture_on_commit_callbacks):
    log_meeting(org.branch, Meeting.Kind.GENERAL_MEETING, date(2025, 3, 6), topic="一季度党员大会")
    client = login(org.committee_user)
    assert "全部党支部，zip" in client.get(reverse("activities:archives")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("activities:archive_start"), {"unit": org.committee.pk, "year": 2025})
    job = ArchiveJob.objects.get()
    assert job.is_done and job.steps_total == 6, job.message
    content = b"".join(client.get(reverse("activities:archive_download", args=[job.pk])).streaming_content)
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert sorted(names) == [f"ZB1-{org.branch.name}2025年度台账.pdf", f"ZB9-{org.other_branch.name}2025年度台账.pdf"]
    # The general branch's secretary manages only part of the organ: the organ's zip is not theirs.
    assert login(org.general_secretary).get(reverse("activities:archive_job", args=[job.pk])).status_code == 404


def test_the_command_refuses_a_group_and_a_wrong_suffix(org, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="党小组"):
        call_command("export_archive", unit="ZB1-1", year=2025, out=str(tmp_path / "a.pdf"))
    with pytest.raises(CommandError, match=r"\.zip"):
        call_command("export_archive", unit="ZZ1", year=2025, out=str(tmp_path / "a.pdf"))
    with pytest.raises(CommandError, match="不存在"):
        call_command("export_archive", unit="NOPE", year=2025, out=str(tmp_path / "a.pdf"))
    assert services.archive_name(org.branch, 2025) == f"{org.branch.name}2025年度台账.pdf"


def test_a_zip_of_too_many_branches_is_refused_with_the_way_out(org, login, monkeypatch):
    from activities.archive import jobs

    monkeypatch.setattr(jobs, "MAX_ZIP_BRANCHES", 1)
    response = login(org.committee_user).post(
        reverse("activities:archive_start"), {"unit": org.committee.pk, "year": 2025}, follow=True
    )
    page = response.content.decode()
    assert "超过一次打包的上限 1 个" in page and "export_archive" in page
    assert not ArchiveJob.objects.exists()


def test_the_progress_page_polls_while_running_and_a_dead_job_stops_waiting(org, login, settings):
    from datetime import timedelta

    from django.utils import timezone

    job = ArchiveJob.objects.create(
        year=2025,
        unit=org.branch,
        requested_by=org.committee_user,
        status="running",
        started_at=timezone.now(),
        step="刑事审判庭党支部：排版（12 份记录）",
        steps_done=1,
        steps_total=3,
    )
    client = login(org.secretary)  # the branch downloads what the committee asked for
    page = client.get(reverse("activities:archive_job", args=[job.pk])).content.decode()
    assert reverse("activities:archive_progress", args=[job.pk]) in page and 'data-sb-width="33"' in page
    assert (
        "排版（12 份记录）（第 1/3 步）"
        in client.get(reverse("activities:archive_progress", args=[job.pk])).content.decode()
    )
    assert client.get(reverse("activities:archive_download", args=[job.pk])).status_code == 404
    ArchiveJob.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    )
    box = client.get(reverse("activities:archive_progress", args=[job.pk])).content.decode()
    assert "后台任务可能已中断" in box and "hx-get" not in box


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_archive_sent_through_redis(org, live_worker):
    import time

    from activities.archive import jobs
    from config.celery import app as celery_app

    assert celery_app.conf.broker_url.startswith("redis://")
    assert "activities.archive.tasks.build_archive" in celery_app.tasks
    log_meeting(org.branch, Meeting.Kind.GENERAL_MEETING, date(2025, 3, 6), topic="一季度党员大会")
    job = jobs.archive_request(user=org.secretary, unit=org.branch, year=2025)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.is_running:
            break
        time.sleep(0.2)
    assert job.status == "done", job.message
    assert "一季度党员大会" in "".join(pages_of(job.file.path))


def test_a_running_archive_whose_worker_went_silent_is_failed_by_the_sweep(org, settings):
    from datetime import timedelta

    from django.utils import timezone

    from core.tasks import STALE_MESSAGE, stale_jobs_fail

    now = timezone.now()
    silent, alive = (
        ArchiveJob.objects.create(
            year=2025, unit=org.branch, requested_by=org.secretary, status="running", started_at=now, heartbeat_at=beat
        )
        for beat in (now - timedelta(seconds=settings.JOB_STALE_SECONDS + 30), now)
    )
    stale_jobs_fail()
    silent.refresh_from_db()
    alive.refresh_from_db()
    assert (silent.status, silent.message) == ("failed", STALE_MESSAGE) and alive.status == "running"
