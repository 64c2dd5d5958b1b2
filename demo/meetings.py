"""Demo 三会一课 records: two years of meetings, talks and volunteer activities for every branch.

`seed_meetings(today, org)` fills 1 January of last year up to `today`, drawn from a fixed random
seed per branch, so the same demo date gives the same records. It is idempotent: a branch that already
has meeting records is left alone. Every flag and state appears:

- most branches keep up; BEHIND_BRANCHES skip months, log late (补录) and talk to fewer members;
- DEMO_BRANCH (the secretary's login) shows one record of each kind of trouble: a 党员大会 below
  quorum, a late 支委会 (补录), a pair of near-identical minutes (疑似雷同), a returned 党课, and a
  draft from this month;
- other branches leave their latest theme day in draft now and then.

Records are written in bulk for speed; counters and flags come from the same rules the services
apply (activities.compliance), and 疑似雷同 from services.similarity_refresh.
"""

from __future__ import annotations

import datetime as dt
import random
from datetime import date

from django.db import transaction
from django.utils import timezone

from activities import compliance, services, similarity
from activities.models import Attendance, Meeting, Talk
from activities.selectors import expected_attendees
from branches.models import OrgUnit
from core.periods import Period, quarter_of
from members.models import Member

DEMO_BRANCH = "ZB07"
BEHIND_BRANCHES = ("ZB03", "ZB10", "ZB12")

PLACES = ("党员活动室", "三楼会议室", "第五审判法庭", "院机关会议室", "支部学习室")
LEAVE_REASONS = ("外出办案", "出差", "病假", "参加培训", "值班", "开庭", "事假")
TOPICS = {
    compliance.GENERAL_MEETING: (
        "学习贯彻党的二十届三中全会精神",
        "讨论发展对象的入党申请",
        "通报支部上半年工作并研究下半年安排",
        "学习《中国共产党纪律处分条例》",
        "选举出席院机关党代会代表",
        "审议支部年度工作计划",
        "讨论预备党员转正",
        "学习习近平法治思想",
    ),
    compliance.COMMITTEE_MEETING: (
        "研究本月党建工作安排",
        "研究主题党日活动方案",
        "研究党员发展工作",
        "研究党风廉政建设工作",
        "研究支部台账规范工作",
        "研究“党建+审判”融合工作",
        "研究党员教育培训计划",
        "研究结对共建活动安排",
        "研究意识形态工作",
        "研究党费收缴情况",
    ),
    compliance.GROUP_MEETING: (
        "学习党章",
        "交流办案中的群众工作方法",
        "学习《关于新形势下党内政治生活的若干准则》",
        "开展批评与自我批评",
        "学习最高法院工作报告",
        "交流学习心得",
        "学习典型案例警示教育材料",
        "讨论如何提升审判质效",
    ),
    compliance.PARTY_LESSON: (
        "坚定理想信念，做新时代合格党员",
        "以党建引领审判执行工作高质量发展",
        "弘扬伟大建党精神",
        "严守纪律规矩，锻造过硬队伍",
        "践行司法为民宗旨",
        "从党史中汲取奋进力量",
    ),
    compliance.THEME_DAY: (
        "重温入党誓词",
        "参观革命纪念馆",
        "开展“我为群众办实事”活动",
        "观看警示教育片",
        "开展普法进社区活动",
        "学习身边先进典型",
        "开展廉洁文化教育",
        "参观法治教育基地",
        "开展志愿服务",
        "集中学习党的创新理论",
        "开展党史学习教育主题活动",
        "开展国家安全教育",
    ),
    compliance.LIFE_MEETING: ("召开年度组织生活会",),
    compliance.APPRAISAL_MEETING: ("开展年度民主评议党员",),
    compliance.VOLUNTEER: (
        "到社区开展普法宣传志愿服务",
        "与结对村开展共建活动",
        "到敬老院开展志愿服务",
        "与共建学校开展法治教育",
        "参加文明城市创建志愿服务",
    ),
}
# Sentences the minutes are drawn from. Each record takes a few, so two genuine records of a branch
# share little text: only the planted pair is meant to read as copied.
BODY = (
    "{host}传达了上级党组织关于{topic}的有关要求，并结合支部实际提出了具体意见。",
    "与会同志围绕“{topic}”逐一发言，结合本职工作谈认识、找差距、定措施。",
    "{a}同志谈到，要把学习成果转化为推动执法办案的实际成效，切实提高案件质量。",
    "{b}同志提出，青年干警要在急难险重任务中经受锻炼，发挥党员先锋模范作用。",
    "会议通报了{month}月份审判执行工作情况，全庭结案{n}件，分析了结案率、上诉率等指标的变化原因。",
    "会议指出，个别同志存在学习不够深入、联系实际不够紧密的问题，要求{a}等同志认真整改。",
    "大家一致认为，要坚持党建工作与业务工作同谋划、同部署、同落实、同考核。",
    "{a}同志汇报了近期参加培训的收获，建议支部把典型案例分析纳入日常学习。",
    "会议讨论了近期群众来信来访反映的{n}个问题，明确由{b}同志牵头跟踪办理。",
    "{host}强调，全体党员要严守政治纪律和政治规矩，树立清正廉洁的良好形象。",
    "会议对照支部年度工作计划，逐项检查了落实进度，对滞后的{n}项工作明确了完成时限。",
    "与会党员观看了专题片，{a}同志结合观后感谈了对依法履职、公正司法的理解。",
    "会议研究了困难党员慰问事宜，决定由{b}同志带队分片走访，并做好记录。",
    "{b}同志介绍了结对共建单位的需求，大家就如何开展法律服务提出了建议。",
    "会议要求各党小组认真组织学习，做好学习记录，于{month}月底前报送学习心得。",
    "会议传达了院党组会议精神，{host}就贯彻落实作了具体分工，{a}同志负责督促检查。",
    "{a}同志就发挥党员示范岗作用作了表态发言，表示要在办案一线带好头。",
    "会议分析了本季度党员参加组织生活的情况，对请假较多的{n}名同志安排了提醒谈话。",
    "{b}同志结合一起发回重审案件，剖析了事实认定和证据审查中的薄弱环节。",
    "会议学习了最高人民法院关于加强审判监督管理的意见，{a}同志作了重点解读。",
    "针对长期未结案件，会议要求承办法官逐案说明原因，{b}同志汇总后报庭务会。",
    "{a}同志分享了在诉前调解中运用“枫桥经验”化解纠纷的做法，大家深受启发。",
    "会议决定本月在庭内开展一次廉政风险点排查，由{b}同志牵头，{n}日内完成。",
    "{host}对近期执法办案中的作风问题作了提醒，要求杜绝“冷硬横推”。",
    "会议听取了{a}同志关于党员积分管理试行情况的汇报，决定继续完善细则。",
    "大家围绕提高裁判文书质量展开讨论，{b}同志建议建立文书互评机制。",
    "会议布置了下一阶段学习任务，每名党员撰写不少于{n}篇学习心得。",
    "{a}同志介绍了参加院青年理论学习小组的情况，表示要带动身边同志共同学习。",
)
TALK_NOTES = (
    "谈工作压力和家庭情况，鼓励其合理安排工作",
    "了解办案中遇到的困难，提醒注意廉洁风险",
    "交流学习体会，肯定近期工作表现",
    "谈思想状况，提出加强理论学习的建议",
    "关心身体情况，听取对支部工作的意见",
    "就岗位调整后的适应情况进行交流",
)


def _minutes(rng: random.Random, kind: str, topic: str, held_on: date, names: list[str], host: str) -> str:
    opening = f"{held_on.month}月{held_on.day}日，{host}主持召开{compliance.KIND_LABELS[kind]}，主题为“{topic}”。"
    names = names or [host]
    body = "".join(
        s.format(
            host=host,
            topic=topic,
            a=rng.choice(names),
            b=rng.choice(names),
            month=held_on.month,
            n=rng.randint(2, 60),
        )
        for s in rng.sample(BODY, rng.randint(3, 5))
    )
    return opening + body


def _lightly_edited(text: str, held_on: date) -> str:
    """A copy with the date and a word or two changed: what 疑似雷同 is there to catch."""
    first = text.index("日，")
    edited = f"{held_on.month}月{held_on.day}" + text[first:]
    return edited.replace("逐一发言", "踊跃发言").replace("认真整改", "及时整改")


def _months(start: date, today: date):
    year, month = start.year, start.month
    while (year, month) <= (today.year, today.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


class _Branch:
    """Plans one branch's records: meetings (with attendance) and talks, all in memory."""

    def __init__(self, branch: OrgUnit, groups: list[OrgUnit], today: date, users: dict):
        self.branch, self.groups, self.today = branch, groups, today
        self.rng = random.Random(f"meetings-{branch.code}")
        self.behind = branch.code in BEHIND_BRANCHES
        self.users = users
        self.secretary = Member.objects.filter(branch=branch, committee_post="书记").first()
        self.host = self.secretary.name if self.secretary else "支部书记"
        self.plans: list[tuple[Meeting, list[Attendance]]] = []
        # A branch below 7 full members has a secretary only (DOMAIN.md) and holds no 支委会.
        full = Member.objects.filter(branch=branch, category=Member.Category.FULL).exclude(
            status=Member.Status.RETIRED, counts_when_retired=False
        )
        self.has_committee = full.count() >= compliance.COMMITTEE_MIN_FULL_MEMBERS
        self.shingles: list[frozenset[str]] = []

    MARGIN = similarity.THRESHOLD - 0.15

    def _day(self, year: int, month: int, low: int = 3, high: int = 26) -> date | None:
        """A working day of the month before today; None when the month has not got that far."""
        for _ in range(10):
            day = date(year, month, self.rng.randint(low, high))
            if day.weekday() < 5:
                break
        return day if day < self.today else None

    def _fresh_minutes(self, kind: str, topic: str, held_on: date, names: list[str]) -> str:
        """Minutes no closer than MARGIN to any of the branch's others: only the planted copy may be flagged."""
        for _ in range(8):
            text = _minutes(self.rng, kind, topic, held_on, names, self.host)
            mine = similarity.shingles(text)
            if all(similarity.jaccard(mine, other) < self.MARGIN for other in self.shingles):
                break
        self.shingles.append(mine)
        return text

    def meeting(self, unit: OrgUnit, kind: str, held_on: date, **overrides) -> Meeting | None:
        expected = expected_attendees(unit, kind, held_on)
        if not expected:
            return None
        rng = self.rng
        topic = overrides.pop("topic", None) or rng.choice(TOPICS[kind])
        names = [e.member.name for e in expected]
        late = overrides.pop("late_days", None)
        if late is None:
            late = rng.randint(20, 45) if self.behind and rng.random() < 0.15 else rng.randint(0, 4)
        logged_on = min(held_on + dt.timedelta(days=late), self.today)
        hour = rng.choice((9, 14, 15))
        held_at = timezone.make_aware(
            dt.datetime(held_on.year, held_on.month, held_on.day, hour, 30 if hour == 14 else 0)
        )
        logged_at = timezone.make_aware(dt.datetime(logged_on.year, logged_on.month, logged_on.day, 17, 20))
        planted_below_quorum = "absent_rate" in overrides
        absent_rate = overrides.pop("absent_rate", 0.08 if self.behind else 0.03)
        leave_rate = 0.12 if self.behind else 0.08
        rows = []
        for e in expected:
            roll = rng.random()
            if roll < absent_rate:
                status, reason = compliance.ABSENT, ""
            elif roll < absent_rate + leave_rate:
                status, reason = compliance.LEAVE, rng.choice(LEAVE_REASONS)
            else:
                status, reason = compliance.PRESENT, ""
            rows.append(Attendance(member=e.member, status=status, reason=reason, is_voting=e.is_voting))
        if not planted_below_quorum:
            # Chance alone must not put a small branch below quorum: only the planted record is.
            for row in rows:
                counts = compliance.attendance_counts((r.status, r.is_voting) for r in rows)
                if compliance.quorum_met(kind, counts.voting_expected, counts.voting_present):
                    break
                if row.is_voting and row.status != compliance.PRESENT:
                    row.status, row.reason = compliance.PRESENT, ""
        counts = compliance.attendance_counts((r.status, r.is_voting) for r in rows)
        meeting = Meeting(
            kind=kind,
            unit=unit,
            branch=self.branch,
            held_at=held_at,
            held_on=held_on,
            place=rng.choice(PLACES),
            host=self.host,
            recorder=rng.choice(names),
            lecturer=(self.host if rng.random() < 0.6 else "院党组成员") if kind == compliance.PARTY_LESSON else "",
            topic=topic,
            minutes=self._fresh_minutes(kind, topic, held_on, names),
            status=Meeting.Status.SUBMITTED,
            logged_at=logged_at,
            submitted_at=logged_at,
            created_by=self.users.get("shuji") if self.branch.code == DEMO_BRANCH else None,
            expected_count=counts.expected,
            present_count=counts.present,
            leave_count=counts.leave,
            absent_count=counts.absent,
            voting_expected=counts.voting_expected,
            voting_present=counts.voting_present,
            below_quorum=not compliance.quorum_met(kind, counts.voting_expected, counts.voting_present),
            is_backfilled=compliance.is_backfilled(held_on, logged_on),
        )
        for name, value in overrides.items():
            setattr(meeting, name, value)
        self.plans.append((meeting, rows))
        return meeting

    def plan_meetings(self) -> None:
        rng, behind, today = self.rng, self.behind, self.today
        keep = 0.6 if behind else 0.96
        start = date(today.year - 1, 1, 1)
        for year, month in _months(start, today):
            quarter_month = (month - 1) % 3 + 1
            if self.has_committee and rng.random() < keep and (day := self._day(year, month)):
                self.meeting(self.branch, compliance.COMMITTEE_MEETING, day)
            if rng.random() < keep and (day := self._day(year, month)):
                self.meeting(self.branch, compliance.THEME_DAY, day)
            for group in self.groups:
                if rng.random() < keep - 0.04 and (day := self._day(year, month)):
                    self.meeting(group, compliance.GROUP_MEETING, day)
            # Quarterly meetings in the quarter's second month, or its first when that is all there is.
            if quarter_month == 2 or (quarter_month == 1 and (year, month) == (today.year, today.month)):
                for kind in (compliance.GENERAL_MEETING, compliance.PARTY_LESSON):
                    if rng.random() < (0.7 if behind else 0.97) and (day := self._day(year, month)):
                        self.meeting(self.branch, kind, day)
            if month == 12 and (day := self._day(year, month, 15, 28)):
                for kind in (compliance.LIFE_MEETING, compliance.APPRAISAL_MEETING):
                    if not behind or rng.random() < 0.5:
                        self.meeting(self.branch, kind, day)
        for year in (today.year - 1, today.year):
            count = rng.choice((0, 1)) if behind else rng.choice((2, 2, 3))
            for month in rng.sample(range(3, 12), count):
                if day := self._day(year, month):
                    self.meeting(self.branch, compliance.VOLUNTEER, day)

    def plan_demo_troubles(self) -> None:
        """The demo branch shows every flag and state on records the secretary can open."""
        today, last = self.today, self.today.year - 1
        below = self.meeting(self.branch, compliance.GENERAL_MEETING, date(last, 6, 12), absent_rate=0.6)
        if below is not None:
            below.topic = "讨论发展对象的入党申请（补充会议）"
        self.meeting(
            self.branch, compliance.COMMITTEE_MEETING, date(last, 4, 22), late_days=33, topic="研究支部台账整改"
        )
        original = self.meeting(self.branch, compliance.THEME_DAY, date(last, 10, 28), topic="重温入党誓词")
        if original is not None:
            copy = self.meeting(self.branch, compliance.THEME_DAY, date(last, 11, 27), topic="重温入党誓词（续）")
            if copy is not None:
                copy.minutes = _lightly_edited(original.minutes, copy.held_on)
        # A 党课 of the previous quarter, returned by the general branch with a comment.
        year, quarter = quarter_of(today)
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        lesson_day = Period.for_quarter(year, quarter).start + dt.timedelta(days=40)
        returned = self.meeting(self.branch, compliance.PARTY_LESSON, lesson_day, topic="学习贯彻全会精神专题党课")
        if returned is not None:
            returned.status = Meeting.Status.RETURNED
            returned.return_comment = "党课记录只有题目，缺少授课内容要点和学员讨论情况，请补充后重新提交。"
            returned.returned_at = returned.logged_at + dt.timedelta(days=3)
            returned.returned_by = self.users.get("zongzhi")

    def leave_latest_in_draft(self) -> None:
        """This month's latest record stays a draft: logged, not yet submitted."""
        this_month = [
            m for m, _ in self.plans if (m.held_on.year, m.held_on.month) == (self.today.year, self.today.month)
        ]
        if this_month:
            latest = max(this_month, key=lambda m: m.held_on)
            latest.status, latest.submitted_at = Meeting.Status.DRAFT, None

    def save(self) -> None:
        meetings = [m for m, _ in self.plans]
        Meeting.objects.bulk_create(meetings, batch_size=500)
        rows = []
        for meeting, attendance in self.plans:
            for row in attendance:
                row.meeting = meeting
                rows.append(row)
        Attendance.objects.bulk_create(rows, batch_size=2000)
        services.similarity_refresh(branch_id=self.branch.pk, changed_ids=[m.pk for m in meetings])

    def talks(self) -> None:
        rng, today = self.rng, self.today
        talker = self.secretary
        talks = []
        for year in (today.year - 1, today.year):
            year_end = min(date(year, 12, 31), today - dt.timedelta(days=1))
            progress = (year_end - date(year, 1, 1)).days / 365
            share = (0.55 if self.behind else 0.97) * (1 if year < today.year else progress)
            members = list(Member.objects.filter(branch=self.branch).exclude(status=Member.Status.RETIRED))
            for member in members:
                if rng.random() >= share or year_end < date(year, 1, 2):
                    continue
                day = date(year, 1, 1) + dt.timedelta(days=rng.randint(0, (year_end - date(year, 1, 1)).days))
                if member.joined_on and member.joined_on > day:
                    continue
                own = talker is None or member.pk == talker.pk
                talks.append(
                    Talk(
                        branch=self.branch,
                        member=member,
                        talker=None if own else talker,
                        talker_name="党总支书记" if own else "",
                        talked_on=day,
                        note=rng.choice(TALK_NOTES),
                    )
                )
        Talk.objects.bulk_create(talks, batch_size=1000)


@transaction.atomic
def seed_meetings(today: date, org=None) -> int:
    """Seed every branch that has no meeting records yet; returns how many records were written.

    `org` is the DemoOrg from demo.org (its branches, groups and users); without it every branch
    in the database is seeded.
    """
    branches = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH)
    if getattr(org, "branches", None):
        # Fetched afresh: adding units in sorted order moves the paths of units already in memory.
        branches = branches.filter(pk__in=[b.pk for b in org.branches])
    branches = list(branches)
    users = getattr(org, "users", None) or {}
    seeded = set(Meeting.objects.filter(branch__in=branches).values_list("branch_id", flat=True).distinct())
    written = 0
    for branch in sorted(branches, key=lambda b: b.code):
        if branch.pk in seeded:
            continue
        groups = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.GROUP, path__startswith=branch.path).order_by("path"))
        plan = _Branch(branch, groups, today, users)
        plan.plan_meetings()
        if branch.code == DEMO_BRANCH:
            plan.plan_demo_troubles()
        if branch.code == DEMO_BRANCH or plan.rng.random() < 0.5:
            plan.leave_latest_in_draft()
        plan.save()
        plan.talks()
        written += len(plan.plans)
    return written
