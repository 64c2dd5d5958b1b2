"""The demo's recruitment pipeline: someone at every stage, one late talk, one activist not assessed
for seven months, a 发展对象 waiting for the committee's approval past its three months, and one new
probationary member of the roster who came through it.

`seed_recruitment(org)` upserts by ID number and records only the steps not yet recorded, through the
services, so running it again changes nothing. Dates are counted back from `org.today`.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from demo.org import DEMO_BRANCH, DemoOrg
from members import idcard
from members.models import Member
from recruitment import rules, selectors, services
from recruitment.lookups import recruits_by_id_number
from recruitment.models import Recruit

# Born in the 2000s in a county the roster never uses: these ID numbers cannot meet a member's.
REGION = "430124"
BRANCH_ACTOR = "支部书记"
COMMITTEE_ACTOR = "机关党委组织员"


@dataclass(frozen=True)
class Plan:
    name: str
    gender: str
    born: date
    sequence: int
    branch: str
    department: str
    # step → days before today
    steps: dict[int, int]


def _pipeline(today: date) -> list[Plan]:
    def candidate_path(activist_ago: int, until: int) -> dict[int, int]:
        """From the application to step `until`, a year and a little as activist."""
        days = {1: activist_ago + 120, 2: activist_ago + 105, 3: activist_ago, 4: activist_ago - 5}
        days |= {5: activist_ago - 10, 6: activist_ago - 170}
        candidate = activist_ago - 375
        for number, gap in zip(range(7, 16), (0, 5, 10, 20, 30, 40, 50, 55, 60), strict=True):
            days[number] = candidate - gap
        return {n: d for n, d in days.items() if n <= until}

    return [
        Plan("林晓雯", "女", date(2001, 4, 12), 2, DEMO_BRANCH, "刑事审判庭", {1: 10}),
        Plan("周子豪", "男", date(2000, 9, 3), 1, DEMO_BRANCH, "刑事审判庭", {1: 45}),  # talk late
        Plan(
            "郑雨桐",
            "女",
            date(2002, 1, 20),
            4,
            DEMO_BRANCH,
            "刑事审判庭",
            {1: 300, 2: 290, 3: 240, 4: 235, 5: 230, 6: 60},
        ),
        # An activist whose last assessment was seven months ago.
        Plan(
            "吴俊杰",
            "男",
            date(1999, 11, 8),
            3,
            DEMO_BRANCH,
            "刑事审判庭",
            {1: 520, 2: 505, 3: 400, 4: 395, 5: 390, 6: 215},
        ),
        Plan("孙佳琪", "女", date(1998, 7, 16), 6, DEMO_BRANCH, "刑事审判庭", candidate_path(620, 11)),
        Plan("何明轩", "男", date(1997, 3, 28), 5, "ZB08", "民事审判第一庭", candidate_path(560, 12)),
        # The branch meeting was more than three months ago: the approval is late.
        Plan("马诗涵", "女", date(1998, 2, 2), 8, "ZB09", "民事审判第二庭", candidate_path(540, 15)),
        Plan("黄宇航", "男", date(2001, 6, 30), 7, "ZB11", "执行局", {1: 90, 2: 80, 3: 20}),
    ]


def _id_number(plan: Plan) -> str:
    return idcard.make_id_number(REGION, plan.born, plan.sequence * 2 + (1 if plan.gender == "男" else 0))


def _extra(number: int, day: date, branch, sponsors) -> dict:
    if number in (rules.CONTACTS, rules.INTRODUCERS):
        return {"people": sponsors}
    if number == rules.TRAINING:
        return {"training_days": 3, "training_hours": 24}
    if number == rules.PRE_REVIEW:
        return {"notice_start": day - timedelta(days=14), "notice_end": day - timedelta(days=1)}
    if number == rules.BRANCH_MEETING:
        expected = max(selectors.voting_members_on(branch, day), 3)
        present = expected - 2 if expected > 6 else expected
        return {"voters_expected": expected, "voters_present": present, "votes_for": present}
    return {}


def _sponsors(branch) -> list[Member]:
    return list(
        Member.objects.filter(branch=branch, category=Member.Category.FULL, status=Member.Status.ACTIVE).order_by("pk")[
            :2
        ]
    )


def _record(recruit: Recruit, steps: dict[int, date], today: date) -> None:
    recorded = services.step_dates(recruit)
    sponsors = _sponsors(recruit.branch)
    for number in sorted(steps):
        day = steps[number]
        if number in recorded:  # an assessment too: a later run must not add one more
            continue
        services.recruit_step_record(
            recruit=recruit,
            number=number,
            done_on=day,
            actor=COMMITTEE_ACTOR if rules.STEPS[number].by_committee else BRANCH_ACTOR,
            today=today,
            **_extra(number, day, recruit.branch, sponsors),
        )


def _upsert(plan_name, branch, id_number, applied_on, today, **fields) -> Recruit:
    recruit = recruits_by_id_number([id_number]).get(id_number)
    if recruit is None:
        recruit = services.recruit_create(
            branch=branch,
            name=plan_name,
            id_number=id_number,
            applied_on=applied_on,
            actor=BRANCH_ACTOR,
            today=today,
            allow_member=True,
            **fields,
        )
    return recruit


def seed_recruitment(org: DemoOrg) -> None:
    today = org.today
    for plan in _pipeline(today):
        branch = org.unit(plan.branch)
        steps = {number: today - timedelta(days=ago) for number, ago in plan.steps.items()}
        recruit = _upsert(plan.name, branch, _id_number(plan), steps[1], today, department=plan.department)
        _record(recruit, steps, today)
    _seed_new_member(org)


def _seed_new_member(org: DemoOrg) -> None:
    """The demo branch's newest probationary member and one who has become a full member since, each
    with the path that brought them in: the record is linked to their roster entry at the approval,
    never doubled, and the roster's dates are the ones the steps give."""
    branch = org.unit(DEMO_BRANCH)
    roster = Member.objects.filter(branch=branch, joined_on__isnull=False, user__isnull=True).order_by(
        "-joined_on", "pk"
    )
    newest = roster.filter(category=Member.Category.PROBATIONARY, probation_extended_until__isnull=True).first()
    if newest is not None:
        _seed_through(org, newest, rules.OATH)
    full = [
        member
        for member in roster.filter(category=Member.Category.FULL, full_on__isnull=False, status=Member.Status.ACTIVE)
        if rules.age_error(member.birth_date, member.joined_on - timedelta(days=700)) is None
    ]
    if full:
        _seed_through(org, full[0], rules.ARCHIVED)


def _seed_through(org: DemoOrg, member: Member, until: int) -> None:
    today = org.today
    meeting = member.joined_on
    candidate = meeting - timedelta(days=60)
    activist = rules.add_months(candidate, -13)
    applied = activist - timedelta(days=120)
    steps = {1: applied, 2: applied + timedelta(days=15), 3: activist, 4: activist + timedelta(days=5)}
    steps |= {5: activist + timedelta(days=10), 6: candidate - timedelta(days=100), 7: candidate}
    for number, before in zip(range(8, 15), (55, 50, 40, 30, 20, 10, 5), strict=True):
        steps[number] = meeting - timedelta(days=before)
    steps[15] = meeting
    for number, after in zip(range(16, 22), (10, 20, 25, 30, 30, 150), strict=True):
        steps[number] = min(meeting + timedelta(days=after), today)
    ends = rules.probation_end(meeting, member.probation_extended_until)
    steps[22] = ends - timedelta(days=10)
    steps[23] = ends
    steps[24] = max(member.full_on or ends, ends)
    steps[25] = steps[24] + timedelta(days=10)
    steps = {number: day for number, day in steps.items() if number <= until and day <= today}
    recruit = _upsert(
        member.name,
        member.branch,
        member.id_number,
        applied,
        today,
        gender=member.gender,
        department=member.department,
        post=member.post,
        education=member.education,
        ethnicity=member.ethnicity,
        phone=member.phone,
    )
    _record(recruit, steps, today)
