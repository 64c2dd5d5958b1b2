"""The demo's pipeline: someone at every stage, the late items it promises, and idempotent."""

from datetime import date

import pytest

from demo.org import seed_org_and_roster
from demo.recruitment import seed_recruitment
from members.models import Member
from recruitment import selectors
from recruitment.models import Recruit, RecruitStep

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 1)


def snapshot():
    return (
        list(Recruit.objects.order_by("id_number").values_list("id_number", "status", "next_step", "member_id")),
        list(RecruitStep.objects.order_by("pk").values_list("recruit_id", "number", "done_on")),
        list(Member.objects.order_by("pk").values_list("id_number", "category", "joined_on", "full_on")),
    )


def test_the_demo_pipeline():
    org = seed_org_and_roster(TODAY)
    members_before = Member.objects.count()
    seed_recruitment(org)
    first = snapshot()
    seed_recruitment(org)
    assert snapshot() == first
    assert Member.objects.count() == members_before  # linked to the roster, never doubled

    statuses = set(Recruit.objects.values_list("status", flat=True))
    assert statuses == {"applicant", "activist", "candidate", "probationary", "full"}
    reminders = selectors.recruitment_reminders(Recruit.objects.all(), TODAY)
    late = {(r.name, r.alert.kind) for r in reminders if r.alert.late}
    assert ("周子豪", "talk") in late
    assert ("吴俊杰", "assessment") in late
    assert ("马诗涵", "approval") in late
    assessed = RecruitStep.objects.filter(recruit__name="吴俊杰", number=6).latest("done_on").done_on
    assert 200 <= (TODAY - assessed).days <= 230  # about seven months

    newcomer = Recruit.objects.get(status="probationary")
    assert newcomer.member.category == Member.Category.PROBATIONARY
    assert newcomer.member.joined_on == newcomer.steps.get(number=15).done_on
    assert Recruit.objects.filter(next_step__in=[4, 13]).count() == 2  # waiting for the committee
