"""A province-sized organisation for benchmarks (`seed_scale`), written straight into the tables.

The shape follows DOMAIN.md: about 25 members a branch (some probationary, some retired), party
groups in the larger branches, about 40 meetings a year per branch with attendance, talks, pledges,
study notes, a closed yearly appraisal, problems, last years' approved levels, applications and the
checkers' manual scores. At 5,000 branches that is ~125,000 members and ~4–5 million attendance
rows, so rows go in with PostgreSQL's COPY (executemany elsewhere), ids reserved from the
sequences, and foreign-key triggers paused while loading (every reference is built here, in order).

It only ever fills an empty database: refusing is clearer than mixing with real data.
"""

from __future__ import annotations

import calendar
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from activities import compliance
from activities.models import Appraisal, AppraisalEntry, Attendance, Meeting, Pledge, StudyNote, Talk
from assessment.models import Application, Indicator, Problem, Score, StarHistory
from assessment.services.standards import standard_ensure
from branches.models import OrgUnit
from core import bulk
from members import idcard
from members.models import Member, Membership
from security.crypto import keyring

BRANCHES_PER_GENERAL = 20
DIRECT_EVERY = 5  # every fifth branch hangs directly under the committee
COMMITTEE_POSTS = ("书记", "副书记", "组织委员", "宣传委员", "纪检委员")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志伟晓东海波宁博文"
DEPARTMENTS = ("立案庭", "刑事审判庭", "民事审判第一庭", "民事审判第二庭", "行政审判庭", "执行局", "办公室", "政治部")
FLUSH_ROWS = 200_000
MODEL_BRANCH = 0.65


def _month_days(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


@dataclass
class Person:
    id: int
    branch_id: int
    group_id: int | None
    is_full: bool
    counts: bool  # expected at meetings (retired members only where flagged)
    on_committee: bool


@dataclass
class BranchPlan:
    id: int
    code: str
    path: str
    size: int  # members
    keen: float  # how diligent the branch is, 0–1: above MODEL_BRANCH it misses nothing
    groups: list[int] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)


class Loader:
    """Writes rows of a model into its table: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.now = timezone.now()

    def reserve(self, model: type[models.Model], n: int) -> int:
        """The first of `n` consecutive ids taken from the model's sequence (the table is empty)."""
        if n == 0:
            return 1
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s)",
                    [table, table, n - 1],
                )
                return cursor.fetchone()[0] - n + 1
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            return cursor.fetchone()[0] + 1

    def load(self, model, names: Sequence[str], rows: Iterable[Sequence], constants: dict | None = None) -> int:
        fields, tail = bulk.column_defaults(model, names, constants, now=self.now)
        columns = [connection.ops.quote_name(f.column) for f in fields]  # "end" is a reserved word
        table = connection.ops.quote_name(model._meta.db_table)
        if self.postgres:
            with connection.cursor() as cursor:
                return bulk.copy_rows(cursor, table, columns, rows, tail)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        count = 0
        batch = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append((*row, *tail))
                if len(batch) >= 10_000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count


def _path(parent: str, index: int) -> str:
    """treebeard's materialised path of the index-th child (1-based) under `parent`."""
    alphabet, step = OrgUnit.alphabet, OrgUnit.steplen
    digits = ""
    while index:
        index, rest = divmod(index, len(alphabet))
        digits = alphabet[rest] + digits
    return parent + digits.rjust(step, alphabet[0])


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


@dataclass
class ScaleReport:
    branches: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def seed_scale(*, branches: int, year: int, seed: int = 2025, echo=None) -> ScaleReport:
    """Build `branches` branches with a year of records for `year` (and their levels of the two years before)."""
    if branches < 1:
        raise ValidationError("支部数至少为 1")
    existing = OrgUnit.objects.count()
    if existing:
        raise ValidationError(
            f"数据库中已有 {existing} 个党组织：seed_scale 只往空数据库里生成压测数据，不会与已有数据混在一起。"
            "请换一个空数据库（make bench 使用 star_branch_bench，每个规模重建一次）后再运行。"
        )
    echo = echo or (lambda message: None)
    report = ScaleReport(branches=branches)
    rng = random.Random(seed)
    loader = Loader()
    started = time.monotonic()

    def step(name: str, count: int) -> None:
        now = time.monotonic()
        report.counts[name] = count
        report.seconds[name] = now - step.last
        step.last = now
        echo(f"  {name}: {count:,} 行（{report.seconds[name]:.1f} 秒）")

    step.last = started
    with transaction.atomic(), _triggers_paused(loader):
        plans = _org(loader, rng, branches, step)
        _members(loader, rng, plans, year, step)
        _meetings(loader, rng, plans, year, step)
        _pledges_notes_talks(loader, rng, plans, year, step)
        _appraisals(loader, rng, plans, year, step)
        _assessment(loader, rng, plans, year, step)
    if loader.postgres:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    report.seconds["total"] = time.monotonic() - started
    return report


class _triggers_paused:
    """Foreign-key triggers off while loading (PostgreSQL superuser only): rows are consistent by construction."""

    def __init__(self, loader: Loader):
        self.loader = loader
        self.paused = False

    def __enter__(self):
        if self.loader.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if cursor.fetchone()[0]:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                    self.paused = True
        return self

    def __exit__(self, *exc):
        if self.paused and exc[0] is None:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        return False


def _org(loader: Loader, rng: random.Random, n: int, step) -> list[BranchPlan]:
    generals = max(1, round(n * (DIRECT_EVERY - 1) / DIRECT_EVERY / BRANCHES_PER_GENERAL))
    group_count = {}
    sizes = {}
    for i in range(n):
        sizes[i] = rng.randint(8, 42)
        group_count[i] = 2 if sizes[i] >= 30 else (1 if sizes[i] >= 15 else 0)
    total = 1 + generals + n + sum(group_count.values())
    first = loader.reserve(OrgUnit, total)
    ids = iter(range(first, first + total))
    root = _path("", 1)
    rows = []
    committee_id = next(ids)
    # Siblings' paths follow their codes (treebeard's node_order_by): the branches directly under the
    # committee (ZB…) come before the general branches (ZZ…).
    direct = n // DIRECT_EVERY
    children_of_root = 0
    general_paths = [[next(ids), _path(root, direct + g + 1), 0] for g in range(generals)]  # id, path, children
    plans = []
    group_rows = []
    founded = date(2010, 7, 1)
    for i in range(n):
        code = f"ZB{i + 1:05d}"
        if i % DIRECT_EVERY == DIRECT_EVERY - 1:
            children_of_root += 1
            depth, path = 2, _path(root, children_of_root)
        else:
            general = general_paths[(i // BRANCHES_PER_GENERAL) % generals]
            general[2] += 1
            depth, path = 3, _path(general[1], general[2])
        plan = BranchPlan(next(ids), code, path, sizes[i], rng.random())
        elected = date(2023 + i % 3, 1 + i % 12, 1) if i % 17 else date(2019, 6, 1)  # a few terms have run out
        dept = DEPARTMENTS[i % len(DEPARTMENTS)]
        rows.append(
            (plan.id, path, depth, group_count[i], code, f"第{i + 1}{dept}党支部", "branch", founded, elected, dept)
        )
        for k in range(group_count[i]):
            group_id = next(ids)
            plan.groups.append(group_id)
            group_rows.append(
                (
                    group_id,
                    _path(path, k + 1),
                    depth + 1,
                    0,
                    f"{code}-{k + 1}",
                    f"第{k + 1}党小组",
                    "group",
                    founded,
                    None,
                    "",
                )
            )
        plans.append(plan)
    committee = (
        committee_id,
        root,
        1,
        direct + generals,
        "JG",
        "全省法院机关党委（压测）",
        "committee",
        founded,
        date(2022, 1, 1),
        "",
    )
    generals_out = [
        (gid, path, 2, count, f"ZZ{g + 1:04d}", f"第{g + 1}党总支", "general_branch", founded, date(2024, 3, 1), "")
        for g, (gid, path, count) in enumerate(general_paths)
    ]
    names = ["id", "path", "depth", "numchild", "code", "name", "kind", "founded_on", "elected_on", "departments"]
    count = loader.load(OrgUnit, names, [committee, *generals_out, *rows, *group_rows])
    step("党组织", count)
    return plans


def _members(loader: Loader, rng: random.Random, plans: list[BranchPlan], year: int, step) -> None:
    # COPY bypasses the model field, so the ID number is encrypted and hashed here, as the field would.
    ring = keyring()
    purpose = Member._meta.get_field("id_number").purpose
    total = sum(p.size for p in plans)
    first = loader.reserve(Member, total)
    next_id = first
    member_rows, span_rows = [], []
    for plan in plans:
        size = plan.size
        people = []
        full_count = 0
        for k in range(size):
            member_id = next_id
            next_id += 1
            n = member_id
            born = date(1960, 1, 1) + timedelta(days=n % 15000)
            probationary = rng.random() < 0.08
            retired = not probationary and rng.random() < 0.06
            counts = not retired or rng.random() < 0.3
            joined = date(year - 1, rng.randint(1, 12), 1) if probationary else date(1985 + n % 35, 7, 1)
            full_on = None if probationary else date(joined.year + 1, 7, 1)
            group_id = plan.groups[k % len(plan.groups)] if plan.groups else None
            people.append(Person(member_id, plan.id, group_id, not probationary, counts, False))
            full_count += not probationary
            number = idcard.make_id_number("110101", born, n // 15000 % 1000)
            member_rows.append(
                [
                    member_id,
                    _name(rng),
                    "男" if n % 2 else "女",
                    born,
                    ring.encrypt(number, purpose),
                    ring.blind_index(number, purpose),
                    joined,
                    full_on,
                    "probationary" if probationary else "full",
                    "retired" if retired else "active",
                    retired and counts,
                    plan.id,
                    group_id,
                    DEPARTMENTS[n % len(DEPARTMENTS)],
                    "",
                    k == size - 1 and rng.random() < 0.9,
                ]
            )
            span_rows.append((member_id, plan.id, group_id, None, None))
        # The committee: five posts with 7 or more full members, else a secretary only.
        posts = COMMITTEE_POSTS if full_count >= compliance.COMMITTEE_MIN_FULL_MEMBERS else COMMITTEE_POSTS[:1]
        eligible = [p for p in people if p.is_full and p.counts]
        for person, post in zip(eligible, posts, strict=False):
            person.on_committee = True
            member_rows[person.id - first][14] = post
        plan.people = people
    names = [
        "id",
        "name",
        "gender",
        "birth_date",
        "id_number",
        "id_number_hash",
        "joined_on",
        "full_on",
        "category",
        "status",
        "counts_when_retired",
        "branch",
        "group",
        "department",
        "committee_post",
        "is_party_cadre",
    ]
    step("党员", loader.load(Member, names, member_rows))
    step("组织关系", loader.load(Membership, ["member", "branch", "group", "start", "end"], span_rows))


MEETING_FIELDS = [
    "id",
    "kind",
    "unit",
    "branch",
    "held_at",
    "held_on",
    "topic",
    "minutes",
    "lecturer",
    "status",
    "logged_at",
    "submitted_at",
    "expected_count",
    "present_count",
    "leave_count",
    "absent_count",
    "voting_expected",
    "voting_present",
    "is_backfilled",
    "below_quorum",
]


def _meeting_plan(rng: random.Random, plan: BranchPlan, year: int) -> list[tuple[str, int, date, list[Person]]]:
    """(kind, unit, day, expected people) of a branch's year, with the gaps real branches have."""
    counting = [p for p in plan.people if p.counts]
    committee = [p for p in counting if p.on_committee]
    has_committee = sum(p.is_full for p in plan.people) >= compliance.COMMITTEE_MIN_FULL_MEMBERS
    # A model branch holds every required meeting (full points on B, so four or five stars are open
    # to it); the others miss some, the least diligent many.
    model = plan.keen >= MODEL_BRANCH
    meetings = []

    def held(usual: float) -> bool:
        return model or rng.random() < usual * (0.6 + 0.4 * plan.keen / MODEL_BRANCH)

    def day(month: int) -> date:
        return date(year, month, rng.randint(1, _month_days(year, month)))

    for month in range(1, 13):
        if has_committee and held(0.95):
            meetings.append((compliance.COMMITTEE_MEETING, plan.id, day(month), committee))
        if held(0.95):
            meetings.append((compliance.THEME_DAY, plan.id, day(month), counting))
        for group_id in plan.groups:
            if held(0.9):
                members = [p for p in counting if p.group_id == group_id]
                meetings.append((compliance.GROUP_MEETING, group_id, day(month), members))
    for quarter in range(4):
        if held(1.0):
            meetings.append((compliance.GENERAL_MEETING, plan.id, day(3 * quarter + rng.randint(1, 3)), counting))
        if held(1.0):
            meetings.append((compliance.PARTY_LESSON, plan.id, day(3 * quarter + rng.randint(1, 3)), counting))
    if held(0.95):
        meetings.append((compliance.LIFE_MEETING, plan.id, day(rng.randint(11, 12)), counting))
        meetings.append((compliance.APPRAISAL_MEETING, plan.id, day(12), counting))
    for _ in range(rng.choice((0, 1, 2, 2, 3))):
        meetings.append((compliance.VOLUNTEER, plan.id, day(rng.randint(1, 12)), counting))
    return meetings


def _meetings(loader: Loader, rng: random.Random, plans: list[BranchPlan], year: int, step) -> None:
    zone = ZoneInfo(settings.TIME_ZONE)
    schedule = [(plan, _meeting_plan(rng, plan, year)) for plan in plans]
    total = sum(len(m) for _, m in schedule)
    next_id = loader.reserve(Meeting, total)
    meeting_rows: list[tuple] = []
    attendance: list[tuple] = []
    count_attendance = 0
    for plan, meetings in schedule:
        for kind, unit_id, held_on, people in meetings:
            meeting_id = next_id
            next_id += 1
            held_at = datetime(held_on.year, held_on.month, held_on.day, 15, 0, tzinfo=zone)
            late = rng.random() < 0.05
            logged_at = held_at + timedelta(days=rng.randint(20, 60) if late else rng.randint(0, 5), hours=2)
            submitted = rng.random() < 0.98
            present = leave = absent = voting_expected = voting_present = 0
            for person in people:
                draw = rng.random()
                status = compliance.PRESENT if draw < 0.88 else (compliance.LEAVE if draw < 0.96 else compliance.ABSENT)
                if status == compliance.PRESENT:
                    present += 1
                elif status == compliance.LEAVE:
                    leave += 1
                else:
                    absent += 1
                if person.is_full:
                    voting_expected += 1
                    voting_present += status == compliance.PRESENT
                attendance.append((meeting_id, person.id, status, person.is_full))
            label = compliance.KIND_LABELS[kind]
            meeting_rows.append(
                (
                    meeting_id,
                    kind,
                    unit_id,
                    plan.id,
                    held_at,
                    held_on,
                    f"{held_on:%Y年%m月}{label}",
                    f"{plan.code} {held_on:%m月%d日}{label}，传达学习上级精神，讨论本支部近期工作。",
                    "书记" if kind == compliance.PARTY_LESSON else "",
                    "submitted" if submitted else "draft",
                    logged_at,
                    logged_at if submitted else None,
                    len(people),
                    present,
                    leave,
                    absent,
                    voting_expected,
                    voting_present,
                    compliance.is_backfilled(held_on, logged_at.date()),
                    not compliance.quorum_met(kind, voting_expected, voting_present),
                )
            )
        if len(attendance) >= FLUSH_ROWS:
            # Meetings first: attendance rows point at them.
            loader.load(Meeting, MEETING_FIELDS, meeting_rows)
            count_attendance += loader.load(Attendance, ["meeting", "member", "status", "is_voting"], attendance)
            meeting_rows, attendance = [], []
    loader.load(Meeting, MEETING_FIELDS, meeting_rows)
    count_attendance += loader.load(Attendance, ["meeting", "member", "status", "is_voting"], attendance)
    step(f"会议 {total:,} 行、出席情况", count_attendance)


def _pledges_notes_talks(loader: Loader, rng: random.Random, plans: list[BranchPlan], year: int, step) -> None:
    ratings = ["fulfilled"] * 14 + ["partial"] * 4 + ["unfulfilled", ""]
    rated_at = datetime(year, 12, 20, 10, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))

    def pledges():
        for plan in plans:
            for k in range(3):
                rating = rng.choice(ratings)
                yield (
                    plan.id,
                    None,
                    year,
                    f"支部承诺第{k + 1}项：服务群众办实事",
                    rating,
                    rated_at if rating else None,
                )
            for person in plan.people:
                for k in range(2):
                    rating = rng.choice(ratings)
                    yield (plan.id, person.id, year, f"个人承诺第{k + 1}项", rating, rated_at if rating else None)

    step("公开承诺", loader.load(Pledge, ["branch", "member", "year", "content", "rating", "rated_at"], pledges()))

    def notes():
        for plan in plans:
            for person in plan.people:
                keen = rng.random()
                for month in range(1, 13):
                    if rng.random() < 0.5 + 0.45 * keen:
                        yield (
                            person.id,
                            plan.id,
                            date(year, month, 1),
                            f"{month}月学习心得",
                            "学习党章党规，结合审判工作谈体会。",
                        )

    step("学习心得", loader.load(StudyNote, ["member", "branch", "month", "title", "body"], notes()))

    def talks():
        for plan in plans:
            talker = next((p for p in plan.people if p.on_committee), None)
            for person in plan.people:
                if person.counts and rng.random() < 0.85:
                    yield (
                        plan.id,
                        talker.id if talker else None,
                        "" if talker else "上级党组织负责人",
                        person.id,
                        date(year, rng.randint(1, 12), rng.randint(1, 28)),
                        "",
                    )

    step("谈心谈话", loader.load(Talk, ["branch", "talker", "talker_name", "member", "talked_on", "note"], talks()))


def _appraisals(loader: Loader, rng: random.Random, plans: list[BranchPlan], year: int, step) -> None:
    first = loader.reserve(Appraisal, len(plans))
    closed_at = datetime(year, 12, 28, 16, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))
    rows = [(first + k, plan.id, year, None, "closed", closed_at) for k, plan in enumerate(plans)]
    loader.load(Appraisal, ["id", "branch", "year", "quarter", "status", "closed_at"], rows)
    grades = ["excellent"] * 20 + ["competent"] * 75 + ["basic"] * 4 + ["incompetent"]

    def entries():
        for k, plan in enumerate(plans):
            for person in plan.people:
                yield (first + k, person.id, not person.is_full, rng.choice(grades), closed_at)

    step(
        "民主评议",
        loader.load(AppraisalEntry, ["appraisal", "member", "is_probationary", "final_grade", "decided_at"], entries()),
    )


def _assessment(loader: Loader, rng: random.Random, plans: list[BranchPlan], year: int, step) -> None:
    """The year's standard, the checkers' manual scores, problems, applications, two earlier years' levels."""
    standard = standard_ensure(year=year)
    manual = [i for i in Indicator.objects.filter(standard=standard) if i.mode == Indicator.Mode.MANUAL]
    entered_at = datetime(year + 1, 1, 5, 9, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))
    levels = [1, 2, 2, 3, 3, 3, 4, 4, 4, 5]

    def scores():
        for plan in plans:
            for ind in manual:
                for quarter in (1, 2, 3, 4) if ind.is_quarterly else (0,):
                    share = Decimal(min(1.0, 0.5 + 0.3 * plan.keen + 0.3 * rng.random())).quantize(Decimal("0.01"))
                    value = (ind.points * share * 2).quantize(Decimal("1")) / 2  # halves, as checkers score
                    yield (plan.id, ind.pk, quarter, value, "检查评分", entered_at)

    step(
        "人工评分",
        loader.load(Score, ["branch", "indicator", "quarter", "manual", "manual_note", "entered_at"], scores()),
    )

    def problems():
        for plan in plans:
            for _ in range(rng.choice((0, 1, 2, 2, 3, 4))):
                found = date(year, rng.randint(1, 11), rng.randint(1, 28))
                deadline = found + timedelta(days=30)
                draw = rng.random()
                closed = (
                    found + timedelta(days=rng.randint(5, 28))
                    if draw < 0.6
                    else (deadline + timedelta(days=10) if draw < 0.75 else None)
                )
                quarter = (found.month - 1) // 3 + 1
                yield (plan.id, year, quarter, "check", "台账记录不规范，会议记录要素不全", found, deadline, closed)

    names = ["branch", "year", "quarter", "kind", "description", "found_on", "deadline", "closed_on"]
    step("问题清单", loader.load(Problem, names, problems()))

    def applications():
        for plan in plans:
            if rng.random() < 0.95:
                yield (plan.id, year, rng.choice((3, 4, 4, 5, 5, 5)))

    step("星级申报", loader.load(Application, ["branch", "year", "level"], applications()))

    def history():
        for plan in plans:
            for before, share in ((year - 2, 0.8), (year - 1, 0.9)):
                if rng.random() < share:
                    yield (plan.id, before, rng.choice(levels), "imported")

    step("星级历史", loader.load(StarHistory, ["branch", "year", "level", "source"], history()))
