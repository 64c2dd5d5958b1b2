"""发展党员: the 25 steps of 《中国共产党发展党员工作细则》(2014) and their time and order rules.

Plain data and plain functions, no database: the services feed them what is stored and refuse or
warn on what they return. Messages are Chinese (stored and read by everyone, like the other rule
modules). "Refuse" rules return an error; "warn" rules return a warning the pages show in red.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from branches.rules import add_years
from core.workdays import WEEKDAYS_ONLY, Calendar, working_days_between
from members.rules import probation_due

# --- The steps -----------------------------------------------------------------------------------

APPLICATION = 1  # 递交入党申请书
TALK = 2  # 党组织派人谈话
ACTIVIST = 3  # 推荐和确定入党积极分子
ACTIVIST_FILED = 4  # 报上级党委备案
CONTACTS = 5  # 指定培养联系人
ASSESSMENT = 6  # 培养教育考察
CANDIDATE = 7  # 确定发展对象
CANDIDATE_FILED = 8  # 报上级党委备案
INTRODUCERS = 9  # 确定入党介绍人
POLITICAL_REVIEW = 10  # 政治审查
TRAINING = 11  # 集中培训
COMMITTEE_REVIEW = 12  # 支部委员会审查
PRE_REVIEW = 13  # 上级党委预审
APPLICATION_FORM = 14  # 填写入党志愿书
BRANCH_MEETING = 15  # 支部大会讨论
COMMITTEE_TALK = 16  # 上级党委派人谈话
APPROVAL = 17  # 上级党委审批
FILED_ABOVE = 18  # 再上级党委组织部门备案
PLACED = 19  # 编入支部和党小组
OATH = 20  # 入党宣誓
PROBATION_ASSESSMENT = 21  # 继续教育考察
FULL_APPLICATION = 22  # 提出转正申请
FULL_MEETING = 23  # 支部大会讨论转正
FULL_APPROVAL = 24  # 上级党委审批转正
ARCHIVED = 25  # 材料归档

LAST_STEP = ARCHIVED


@dataclass(frozen=True)
class Stage:
    number: int
    name: str
    steps: tuple[int, ...]


@dataclass(frozen=True)
class Step:
    number: int
    name: str
    stage: int
    # Done by the Party committee above the branch (上级党委), recorded by its staff.
    by_committee: bool = False
    # Happens more than once (an assessment every half year): each time is its own record.
    repeatable: bool = False


STAGES = (
    Stage(1, "申请人", (1, 2)),
    Stage(2, "积极分子", (3, 4, 5, 6)),
    Stage(3, "发展对象", (7, 8, 9, 10, 11)),
    Stage(4, "预备党员的接收", (12, 13, 14, 15, 16, 17, 18)),
    Stage(5, "预备党员的教育考察和转正", (19, 20, 21, 22, 23, 24, 25)),
)

_STEP_NAMES = (
    "递交入党申请书",
    "党组织派人谈话",
    "推荐和确定入党积极分子",
    "报上级党委备案",
    "指定培养联系人",
    "培养教育考察",
    "确定发展对象",
    "报上级党委备案",
    "确定入党介绍人",
    "政治审查",
    "集中培训",
    "支部委员会审查",
    "上级党委预审",
    "填写入党志愿书",
    "支部大会讨论",
    "上级党委派人谈话",
    "上级党委审批",
    "再上级党委组织部门备案",
    "编入支部和党小组",
    "入党宣誓",
    "继续教育考察",
    "提出转正申请",
    "支部大会讨论转正",
    "上级党委审批转正",
    "材料归档",
)
COMMITTEE_STEPS = frozenset(
    {ACTIVIST_FILED, CANDIDATE_FILED, PRE_REVIEW, COMMITTEE_TALK, APPROVAL, FILED_ABOVE, FULL_APPROVAL}
)
REPEATABLE_STEPS = frozenset({ASSESSMENT, PROBATION_ASSESSMENT})
# What waits for the committee: 备案, 预审, 审批 (and its talk and the filing above, also its acts).
COMMITTEE_QUEUE_STEPS = COMMITTEE_STEPS

STEPS: dict[int, Step] = {
    number: Step(
        number,
        name,
        next(stage.number for stage in STAGES if number in stage.steps),
        by_committee=number in COMMITTEE_STEPS,
        repeatable=number in REPEATABLE_STEPS,
    )
    for number, name in enumerate(_STEP_NAMES, start=1)
}


def step_label(number: int) -> str:
    return f"第{number}步“{STEPS[number].name}”"


# --- Where a person is ---------------------------------------------------------------------------

APPLICANT_STATUS = "applicant"
ACTIVIST_STATUS = "activist"
CANDIDATE_STATUS = "candidate"
PROBATIONARY_STATUS = "probationary"
FULL_STATUS = "full"
STATUS_LABELS = {
    APPLICANT_STATUS: "申请人",
    ACTIVIST_STATUS: "积极分子",
    CANDIDATE_STATUS: "发展对象",
    PROBATIONARY_STATUS: "预备党员",
    FULL_STATUS: "正式党员",
}
STATUS_ORDER = tuple(STATUS_LABELS)


def status_of(recorded: Iterable[int]) -> str:
    """申请人 until step 3, 积极分子 until 7, 发展对象 until the approval (17), 预备党员 until 24."""
    done = set(recorded)
    if FULL_APPROVAL in done:
        return FULL_STATUS
    if APPROVAL in done:
        return PROBATIONARY_STATUS
    if CANDIDATE in done:
        return CANDIDATE_STATUS
    if ACTIVIST in done:
        return ACTIVIST_STATUS
    return APPLICANT_STATUS


# Recorded steps: number → the dates it was done on (several for a repeatable step; None where a
# step is known to be done but not when, as an import's introducers).
Dates = Mapping[int, Sequence[date | None]]


def first_date(dates: Dates, number: int) -> date | None:
    known = [day for day in dates.get(number, ()) if day is not None]
    return min(known) if known else None


def last_date(dates: Dates, number: int) -> date | None:
    known = [day for day in dates.get(number, ()) if day is not None]
    return max(known) if known else None


def frontier(recorded: Iterable[int]) -> int:
    """The furthest step recorded (0: none). The next step is the one after it."""
    return max(recorded, default=0)


# --- Time ----------------------------------------------------------------------------------------


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later; the month's last day where it has no such day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


MIN_AGE = 18
TALK_MONTHS = 1
ASSESSMENT_MONTHS = 6
ACTIVIST_YEARS = 1
APPROVAL_MONTHS = 3
TRAINING_MIN_DAYS = 3
TRAINING_MIN_HOURS = 24
PUBLICITY_MIN_WORKING_DAYS = 5
SPONSORS = 2


def _d(day: date) -> str:
    return f"{day:%Y-%m-%d}"


def eighteenth_birthday(birth_date: date) -> date:
    return add_years(birth_date, MIN_AGE)


def age_error(birth_date: date, applied_on: date) -> str | None:
    """An applicant is at least 18 on the application date; the 18th birthday itself is enough."""
    if applied_on < eighteenth_birthday(birth_date):
        return f"申请人递交申请时应年满18周岁：{_d(birth_date)}出生，{_d(eighteenth_birthday(birth_date))}才满18周岁"
    return None


def talk_due(applied_on: date) -> date:
    return add_months(applied_on, TALK_MONTHS)


def talk_warning(applied_on: date, talked_on: date) -> str | None:
    due = talk_due(applied_on)
    if talked_on > due:
        return f"谈话应在收到入党申请书后一个月内（{_d(due)}前）进行，实际晚了{(talked_on - due).days}天"
    return None


def order_error(dates: Dates, number: int, day: date) -> str | None:
    """Steps happen in order: no date before an earlier step's, none after a later step's."""
    before = [(n, d) for n, days in dates.items() if n < number for d in days if d is not None]
    if before:
        n, latest = max(before, key=lambda item: (item[1], item[0]))
        if day < latest:
            return f"日期不能早于{step_label(n)}的日期{_d(latest)}"
    after = [(n, d) for n, days in dates.items() if n > number for d in days if d is not None]
    if after:
        n, earliest = min(after, key=lambda item: (item[1], item[0]))
        if day > earliest:
            return f"日期不能晚于{step_label(n)}的日期{_d(earliest)}"
    return None


def skip_error(recorded: Iterable[int], number: int) -> str | None:
    """A step is recorded after the one before it: the next step, or an earlier one left blank."""
    done = set(recorded)
    if number in done or number <= frontier(done) + 1:
        return None
    return f"请先登记{step_label(frontier(done) + 1)}"


def candidate_not_before(activist_on: date) -> date:
    return add_years(activist_on, ACTIVIST_YEARS)


def candidate_error(activist_on: date | None, candidate_on: date) -> str | None:
    """发展对象 at least one year after becoming an activist; exactly one year is enough."""
    if activist_on is None:
        return "尚未登记确定为入党积极分子的日期"
    earliest = candidate_not_before(activist_on)
    if candidate_on < earliest:
        return f"确定为发展对象应在确定为入党积极分子满一年之后：{_d(activist_on)}确定为积极分子，最早{_d(earliest)}"
    return None


def assessment_due(activist_on: date, assessed_on: Iterable[date | None] = ()) -> date:
    """The next half-yearly assessment: six months after the last one (or after becoming an activist)."""
    last = max([activist_on, *(day for day in assessed_on if day is not None)])
    return add_months(last, ASSESSMENT_MONTHS)


@dataclass(frozen=True)
class Sponsor:
    """An introducer or a contact as the rules see them: a roster member and whether they vote."""

    name: str
    is_full: bool
    key: object = None  # anything that tells two people apart (the member's id)


def sponsor_errors(role: str, sponsors: Sequence[Sponsor]) -> list[str]:
    """Introducers (9) and contacts (5): two full members of the organisation, not probationary."""
    errors = []
    keys = [sponsor.key if sponsor.key is not None else sponsor.name for sponsor in sponsors]
    if len(sponsors) != SPONSORS or len(set(keys)) != len(keys):
        errors.append(f"{role}应为两名不同的正式党员，现为{len(set(keys))}名")
    for sponsor in sponsors:
        if not sponsor.is_full:
            errors.append(f"{sponsor.name}不是正式党员（预备党员不能担任{role}）")
    return errors


def meeting_prerequisite_errors(dates: Dates, meeting_on: date) -> list[str]:
    """Political review (10) and training (11) are done before the branch meeting (15)."""
    errors = []
    for number in (POLITICAL_REVIEW, TRAINING):
        done_on = last_date(dates, number)
        if number not in dates:
            errors.append(f"支部大会讨论前应完成{step_label(number)}")
        elif done_on is not None and done_on > meeting_on:
            errors.append(f"{step_label(number)}（{_d(done_on)}）应在支部大会（{_d(meeting_on)}）之前完成")
    return errors


def training_error(days: int | None, hours: int | None) -> str | None:
    """Concentrated training: at least 3 days or at least 24 class hours."""
    if (days or 0) >= TRAINING_MIN_DAYS or (hours or 0) >= TRAINING_MIN_HOURS:
        return None
    return f"集中培训应不少于{TRAINING_MIN_DAYS}天或{TRAINING_MIN_HOURS}个学时，现为{days or 0}天、{hours or 0}学时"


def working_days(start: date, end: date, calendar: Calendar = WEEKDAYS_ONLY) -> int:
    """Working days from start to end, both included: Monday to Friday, less the holidays and plus the
    weekend days worked (调休) the committee entered in the calendar (core.workdays)."""
    return working_days_between(start, end, calendar)


def publicity_error(start: date | None, end: date | None, calendar: Calendar = WEEKDAYS_ONLY) -> str | None:
    """The committee's pre-review (13) comes with a public notice (公示) of at least 5 working days,
    counted by the committee's holiday calendar (the services pass it; without one, weekdays)."""
    if start is None or end is None:
        return "请填写公示的起止日期"
    if end < start:
        return "公示结束日期不能早于开始日期"
    count = working_days(start, end, calendar)
    if count < PUBLICITY_MIN_WORKING_DAYS:
        holidays = "（节假日不计）" if count < working_days(start, end) else ""
        return f"公示应不少于{PUBLICITY_MIN_WORKING_DAYS}个工作日，{_d(start)}至{_d(end)}只有{count}个工作日{holidays}"
    return None


def vote_errors(expected: int | None, present: int | None, votes_for: int | None) -> dict[str, str]:
    """The branch meeting passes when the voting members present are more than half of those who
    should attend, and the votes for are more than half of those who should attend. Exactly half
    fails. Returned by field: expected, present, votes_for."""
    if expected is None or present is None or votes_for is None:
        missing = {
            name: "请填写"
            for name, value in (("expected", expected), ("present", present), ("votes_for", votes_for))
            if value is None
        }
        return missing
    if expected <= 0:
        return {"expected": "应到会有表决权的党员人数应大于0"}
    if present < 0 or votes_for < 0:
        return {"present" if present < 0 else "votes_for": "人数不能为负数"}
    if present > expected:
        return {"present": f"实到人数{present}不能多于应到人数{expected}"}
    if votes_for > present:
        return {"votes_for": f"赞成票{votes_for}不能多于实到人数{present}"}
    if present * 2 <= expected:
        return {"present": f"到会有表决权的党员{present}人，未超过应到会有表决权党员{expected}人的半数，会议无效"}
    if votes_for * 2 <= expected:
        return {"votes_for": f"赞成票{votes_for}票，未超过应到会有表决权党员{expected}人的半数，不能通过"}
    return {}


def approval_due(meeting_on: date) -> date:
    """The committee approves within three calendar months of the branch meeting."""
    return add_months(meeting_on, APPROVAL_MONTHS)


def approval_warning(meeting_on: date, approved_on: date, what: str = "审批") -> str | None:
    due = approval_due(meeting_on)
    if approved_on > due:
        return f"上级党委应在支部大会后三个月内（{_d(due)}前）{what}，实际晚了{(approved_on - due).days}天"
    return None


def probation_end(joined_on: date, extended_until: date | None = None) -> date:
    """One year from the branch meeting (15), or the extension's end (members.rules)."""
    due = probation_due(joined_on, extended_until)
    assert due is not None  # probation_due answers None only without an admission date
    return due


def full_meeting_error(probation_ends: date | None, meeting_on: date) -> str | None:
    """The 转正 meeting (23) is held on or after the end of the probation."""
    if probation_ends is None:
        return "尚未审批接收为预备党员，无法讨论转正"
    if meeting_on < probation_ends:
        return f"预备期{_d(probation_ends)}才满，支部大会讨论转正不能早于这一天"
    return None


# --- What a step needs, all together --------------------------------------------------------------


@dataclass
class StepCheck:
    """The outcome of checking one step's date: errors refuse it (by field), warnings are shown."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def refuse(self, name: str, message: str | None) -> None:
        if message:
            self.errors.setdefault(name, []).append(message)

    def warn(self, message: str | None) -> None:
        if message:
            self.warnings.append(message)


def check_step_date(
    number: int,
    day: date,
    dates: Dates,
    *,
    birth_date: date | None = None,
    probation_ends: date | None = None,
    today: date | None = None,
    allow_gaps: bool = False,
) -> StepCheck:
    """Every time and order rule that one step's date must satisfy, against the other recorded steps.

    `dates` holds the other steps (this record's own earlier date left out); `probation_ends` is the
    roster member's (extensions included) once they are probationary. `allow_gaps` lets a file of
    past records leave out the steps it has no column for.
    """
    check = StepCheck()
    if not allow_gaps:
        check.refuse("done_on", skip_error(dates.keys(), number))
    if today is not None and day > today:
        check.refuse("done_on", f"日期{_d(day)}还没到，不能提前登记")
    check.refuse("done_on", order_error(dates, number, day))
    if number == APPLICATION and birth_date is not None:
        check.refuse("done_on", age_error(birth_date, day))
    if number == TALK and (applied := first_date(dates, APPLICATION)):
        check.warn(talk_warning(applied, day))
    if number == CANDIDATE:
        check.refuse("done_on", candidate_error(first_date(dates, ACTIVIST), day))
    if number == BRANCH_MEETING:
        for message in meeting_prerequisite_errors(dates, day):
            check.refuse("done_on", message)
    if number == APPROVAL and (meeting := first_date(dates, BRANCH_MEETING)):
        check.warn(approval_warning(meeting, day))
    if number == FULL_MEETING:
        check.refuse("done_on", full_meeting_error(probation_ends, day))
    if number == FULL_APPROVAL and (meeting := first_date(dates, FULL_MEETING)):
        check.warn(approval_warning(meeting, day, "审批转正"))
    return check


# --- Where a person stands today: the next step, what is due, what is late --------------------------

TALK_DUE = "talk"
ASSESSMENT_DUE = "assessment"
APPROVAL_WAITING = "approval"
FULL_MEETING_DUE = "full_meeting"
FULL_APPROVAL_WAITING = "full_approval"


@dataclass(frozen=True)
class Alert:
    """Something due for one person: what, which step, by when, and whether that day has passed."""

    kind: str
    step: int
    due_on: date
    late: bool
    message: str
    for_committee: bool = False


@dataclass(frozen=True)
class Progress:
    status: str
    next_step: int | None
    next_due: date | None  # the next step's deadline, where it has one
    next_not_before: date | None  # the next step's earliest day, where it has one
    waiting_since: date | None  # the date of the furthest step recorded
    alerts: tuple[Alert, ...]

    @property
    def late(self) -> tuple[Alert, ...]:
        return tuple(alert for alert in self.alerts if alert.late)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def progress(dates: Dates, today: date, *, probation_ends: date | None = None) -> Progress:
    """The person's stage, next step and its dates, and the alerts (talk due, assessment due,
    approval waiting, 转正 due, 转正 approval waiting) as of `today`."""
    recorded = set(dates)
    status = status_of(recorded)
    top = frontier(recorded)
    next_step = top + 1 if top < LAST_STEP else None
    alerts: list[Alert] = []

    applied = first_date(dates, APPLICATION)
    if applied and TALK not in recorded:
        due = talk_due(applied)
        late = today > due
        message = f"应于{_d(due)}前谈话" + (f"，已逾期{(today - due).days}天" if late else "")
        alerts.append(Alert(TALK_DUE, TALK, due, late, message))
    activist_on = first_date(dates, ACTIVIST)
    if status == ACTIVIST_STATUS and activist_on:
        due = assessment_due(activist_on, dates.get(ASSESSMENT, ()))
        late = today > due
        last = max([activist_on, *(d for d in dates.get(ASSESSMENT, ()) if d)])
        message = f"应于{_d(due)}前培养考察" + (f"，已超过六个月未考察（上次{_d(last)}）" if late else "")
        alerts.append(Alert(ASSESSMENT_DUE, ASSESSMENT, due, late, message))
    meeting = first_date(dates, BRANCH_MEETING)
    if meeting and APPROVAL not in recorded:
        due = approval_due(meeting)
        late = today > due
        message = f"待上级党委审批，应于{_d(due)}前" + (f"，已逾期{(today - due).days}天" if late else "")
        alerts.append(Alert(APPROVAL_WAITING, APPROVAL, due, late, message, for_committee=True))
    if APPROVAL in recorded and FULL_MEETING not in recorded and probation_ends:
        late = today > probation_ends
        if today >= probation_ends - timedelta(days=30):
            ask = "请及时讨论转正" if today >= probation_ends else "请准备转正"
            message = f"预备期{_d(probation_ends)}届满，{ask}"
            alerts.append(Alert(FULL_MEETING_DUE, FULL_MEETING, probation_ends, late, message))
    full_meeting = first_date(dates, FULL_MEETING)
    if full_meeting and FULL_APPROVAL not in recorded:
        due = approval_due(full_meeting)
        late = today > due
        message = f"待上级党委审批转正，应于{_d(due)}前" + (f"，已逾期{(today - due).days}天" if late else "")
        alerts.append(Alert(FULL_APPROVAL_WAITING, FULL_APPROVAL, due, late, message, for_committee=True))

    next_due = next_not_before = None
    if next_step == TALK and applied:
        next_due = talk_due(applied)
    elif next_step == ASSESSMENT and activist_on:
        next_due = assessment_due(activist_on)
    elif next_step == CANDIDATE and activist_on:
        next_not_before = candidate_not_before(activist_on)
    elif next_step in (COMMITTEE_TALK, APPROVAL) and meeting:
        next_due = approval_due(meeting)
    elif next_step == FULL_MEETING and probation_ends:
        next_not_before = probation_ends
    elif next_step == FULL_APPROVAL and full_meeting:
        next_due = approval_due(full_meeting)
    known = [day for days in dates.values() for day in days if day is not None]
    waiting_since = max(known) if known else None
    return Progress(status, next_step, next_due, next_not_before, waiting_since, tuple(alerts))
