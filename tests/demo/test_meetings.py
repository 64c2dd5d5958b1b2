"""The demo's meetings: every flag and state appears, and seeding twice changes nothing."""

from datetime import date
from types import SimpleNamespace

from activities.models import Attendance, Meeting, Talk
from branches.models import OrgUnit
from demo import meetings as demo
from tests.factories import UserFactory, make_member, make_unit


def test_seed_meetings_shows_every_flag_and_state_and_is_idempotent(org):
    today = date(2026, 5, 20)
    demo_branch = make_unit(OrgUnit.Kind.BRANCH, org.general, code=demo.DEMO_BRANCH, name="演示支部")
    group = make_unit(OrgUnit.Kind.GROUP, demo_branch, code=f"{demo.DEMO_BRANCH}-1")
    posts = ["书记", "组织委员", "宣传委员"]
    for i in range(9):
        make_member(demo_branch, group=group if i % 2 else None, committee_post=posts[i] if i < 3 else "")
    behind = make_unit(OrgUnit.Kind.BRANCH, org.committee, code=demo.BEHIND_BRANCHES[0], name="落后支部")
    for i in range(4):
        make_member(behind, committee_post="书记" if i == 0 else "")
    users = {"shuji": UserFactory(username="shuji"), "zongzhi": UserFactory(username="zongzhi")}
    demo_org = SimpleNamespace(branches=[demo_branch, behind], users=users, today=today)

    written = demo.seed_meetings(today, demo_org)
    assert written == Meeting.objects.count() > 50
    mine = Meeting.objects.filter(branch=demo_branch)
    assert set(Meeting.objects.values_list("kind", flat=True)) == set(Meeting.Kind.values)
    assert set(mine.values_list("status", flat=True)) == {"draft", "submitted", "returned"}
    assert mine.filter(status="returned", returned_by=users["zongzhi"]).exclude(return_comment="").count() == 1
    assert mine.filter(below_quorum=True).count() == 1
    assert mine.filter(is_backfilled=True).exists() and Meeting.objects.filter(branch=behind).exists()
    # Exactly the planted pair reads as copied.
    assert (
        sorted(Meeting.objects.filter(similar_to__isnull=False).values_list("branch__code", flat=True))
        == [demo.DEMO_BRANCH] * 2
    )
    # The behind branch misses months the demo branch keeps.
    months = {(m.year, m.month) for m in mine.filter(kind="theme_day").values_list("held_on", flat=True)}
    behind_months = {
        (d.year, d.month)
        for d in Meeting.objects.filter(branch=behind, kind="theme_day").values_list("held_on", flat=True)
    }
    assert len(behind_months) < len(months)
    # Counters agree with the attendance rows.
    sample = mine.filter(kind="general_meeting").first()
    assert sample.expected_count == Attendance.objects.filter(meeting=sample).count()
    assert Meeting.objects.filter(held_on__gte=today).count() == 0
    assert Talk.objects.filter(branch=demo_branch).exists()
    assert Meeting.objects.filter(kind="volunteer", branch=demo_branch).count() >= 2

    before = (Meeting.objects.count(), Attendance.objects.count(), Talk.objects.count())
    assert demo.seed_meetings(today, demo_org) == 0
    assert (Meeting.objects.count(), Attendance.objects.count(), Talk.objects.count()) == before
