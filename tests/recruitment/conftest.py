"""Builders for recruitment tests: people moved along the 25 steps through the services."""

from datetime import date, timedelta

import pytest

from members import idcard
from recruitment import rules, services
from tests.factories import make_member

_numbers = iter(range(100, 1000))


def recruit_id(born: date = date(1998, 5, 5), gender: str = "男") -> str:
    sequence = next(_numbers) * 2 % 1000 + (1 if gender == "男" else 0)
    return idcard.make_id_number("430102", born, sequence % 1000)


def step_plan(start: date) -> dict[int, date]:
    """A date for every step, each rule satisfied, starting with the application on `start`."""
    d = {1: start, 2: start + timedelta(days=10), 3: start + timedelta(days=60)}
    d |= {4: d[3] + timedelta(days=5), 5: d[3] + timedelta(days=10), 6: d[3] + timedelta(days=150)}
    d[7] = rules.candidate_not_before(d[3]) + timedelta(days=5)
    for number, gap in zip(range(8, 16), (5, 10, 20, 30, 40, 50, 55, 60), strict=True):
        d[number] = d[7] + timedelta(days=gap)
    for number, gap in zip(range(16, 22), (10, 20, 25, 30, 35, 150), strict=True):
        d[number] = d[15] + timedelta(days=gap)
    ends = rules.probation_end(d[15])
    d[22], d[23] = ends - timedelta(days=10), ends
    d[24], d[25] = ends + timedelta(days=30), ends + timedelta(days=40)
    return d


def extra_for(number: int, day: date, sponsors) -> dict:
    if number in (rules.CONTACTS, rules.INTRODUCERS):
        return {"people": sponsors}
    if number == rules.TRAINING:
        return {"training_days": 3, "training_hours": 24}
    if number == rules.PRE_REVIEW:
        return {"notice_start": day - timedelta(days=14), "notice_end": day - timedelta(days=1)}
    if number == rules.BRANCH_MEETING:
        return {"voters_expected": 10, "voters_present": 8, "votes_for": 8}
    return {}


def advance(recruit, until: int, *, sponsors, start: date, today: date | None = None, by=None):
    plan = step_plan(start)
    today = today or date.today()
    recorded = set(services.step_dates(recruit))
    for number in range(2, until + 1):
        if number in recorded:
            continue
        services.recruit_step_record(
            recruit=recruit,
            number=number,
            done_on=plan[number],
            actor="经办人",
            by=by,
            today=today,
            **extra_for(number, plan[number], sponsors),
        )
    recruit.refresh_from_db()
    return recruit


@pytest.fixture
def sponsors(org):
    """Two full members of the branch who may introduce (张伟 of the org fixture, and 王建国)."""
    return [org.member, make_member(org.branch, name="王建国")]


@pytest.fixture
def make_recruit(org, sponsors):
    def _make(name="李思远", *, until=1, start=None, branch=None, born=date(1998, 5, 5), today=None, **fields):
        start = start or date.today() - timedelta(days=4 * 365)
        recruit = services.recruit_create(
            branch=branch or org.branch,
            name=name,
            id_number=fields.pop("id_number", None) or recruit_id(born),
            applied_on=start,
            department=fields.pop("department", "刑事审判庭"),
            today=today,
            **fields,
        )
        return advance(recruit, until, sponsors=sponsors, start=start, today=today)

    return _make
