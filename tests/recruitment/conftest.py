"""Builders for recruitment tests: people moved along the 25 steps through the services."""

from datetime import date, timedelta

import pytest

from recruitment import services
from tests.factories import extra_for, make_member, recruit_id, step_plan


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
