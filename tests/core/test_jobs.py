"""core.jobs.JobState: the questions every job row answers, without a database."""

from dataclasses import dataclass

import pytest

from core.jobs import JobState


class _Status:
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass
class Job(JobState):
    status: str
    Status = _Status


@pytest.mark.parametrize(
    ("status", "running", "done", "failed"),
    [
        ("queued", True, False, False),
        ("running", True, False, False),
        ("done", False, True, False),
        ("failed", False, False, True),
    ],
)
def test_each_status_answers_one_question(status, running, done, failed):
    job = Job(status)
    assert (job.is_running, job.is_done, job.is_failed) == (running, done, failed)


def test_progress_stays_below_100_until_done_and_is_0_without_a_total():
    assert Job("running").percent_of(0, 0) == 0
    assert Job("running").percent_of(1, 3) == 33
    assert Job("running").percent_of(3, 3) == 99
    assert Job("running").percent_of(5, 3) == 99
    assert Job("done").percent_of(0, 0) == 100
