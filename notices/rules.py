"""Which reminders are due, to whom, with what words: plain functions over plain data.

DOMAIN.md ("Notices") is the specification: a reminder goes to the person who can act, once per
occasion, by the daily job or at once for events. Every function here takes dataclasses, dates and
ids (built by notices.selectors) and returns `Reminder`s; notices.services stores them and sends
them. Nothing here touches the database, so the rules are tested without one.

An occasion is identified by its `key` ("meeting_due:12:committee_meeting:2026-11-01"): the same
situation found again tomorrow has the same key, and the database keeps one notice per recipient
and key, so however often the job runs, nobody hears of an occasion twice.

The text is stored and read by everyone concerned, so it is written in Chinese (like the rules'
messages elsewhere), whatever the language of whoever caused it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from activities import compliance
from assessment import rating as rating_rules
from branches import rules as tree_rules
from recruitment import rules as recruitment_rules

# ---------------------------------------------------------------------------------------------
# Kinds of reminder

MEETING_DUE = "meeting_due"
RECORD_RETURNED = "record_returned"
PROBLEM_OPENED = "problem_opened"
PROBLEM_DUE = "problem_due"
PROBLEM_OVERDUE = "problem_overdue"
LAGGING = "lagging"
PROBATION_DUE = "probation_due"
TERM_ENDING = "term_ending"
APPRAISAL_OPEN = "appraisal_open"
PLEDGES_MISSING = "pledges_missing"
RATING_APPROVED = "rating_approved"
RATING_REVERSED = "rating_reversed"
RECRUITMENT = "recruitment"

KIND_LABELS = {
    MEETING_DUE: "会议提醒",
    RECORD_RETURNED: "记录退回",
    PROBLEM_OPENED: "新问题",
    PROBLEM_DUE: "整改到期",
    PROBLEM_OVERDUE: "整改逾期",
    LAGGING: "后进党支部整改",
    PROBATION_DUE: "预备党员转正",
    TERM_ENDING: "换届提醒",
    APPRAISAL_OPEN: "民主评议",
    PLEDGES_MISSING: "公开承诺",
    RATING_APPROVED: "星级评定结果",
    RATING_REVERSED: "星级评定撤销",
    RECRUITMENT: "发展党员",
}

# Events told at once (an immediate mail even to those who take the daily digest). The rest are
# found by the daily job and mailed in each person's digest.
IMMEDIATE_KINDS = frozenset({RECORD_RETURNED, PROBLEM_OPENED, RATING_APPROVED, RATING_REVERSED})
# What a unit's work-chat group hears of: the unit's own business. Reminders naming a person
# (转正, a returned record, a member's missing pledges) and the ratings stay out of group chats.
UNIT_CHAT_KINDS = frozenset(
    {MEETING_DUE, PROBLEM_OPENED, PROBLEM_DUE, PROBLEM_OVERDUE, LAGGING, TERM_ENDING, APPRAISAL_OPEN}
)

# Members are reminded of the year's pledges from this day of the year on (pledges are made in January).
PLEDGE_DUE_MONTH, PLEDGE_DUE_DAY = 2, 1

# Channels and e-mail modes.
DIGEST, IMMEDIATE = "digest", "immediate"


@dataclass(frozen=True)
class LeadTimes:
    """How many days ahead each reminder comes (DOMAIN.md defaults; the committee changes them per year)."""

    meetings: int = 7  # before the end of a month / quarter / year in which a required meeting is missing
    problems: int = 7  # before a problem's rectification deadline
    probation: int = 30  # before a probationary member is due for 转正
    term: int = 90  # before a committee's term ends


# Recruitment's deadlines (谈话, 培养考察, 审批, 转正审批) come this many days ahead; not the committee's
# setting: the talk's whole window is one month, so a talk is told as soon as the application is in.
RECRUITMENT_LEAD_DAYS = 30


DEFAULT_LEAD_TIMES = LeadTimes()


@dataclass(frozen=True)
class Link:
    """The page a reminder leads to, as a URL name with arguments (resolved by the services)."""

    name: str
    args: tuple = ()
    query: tuple[tuple[str, str | int], ...] = ()


@dataclass(frozen=True)
class Reminder:
    key: str
    kind: str
    text: str
    link: Link
    recipients: frozenset[int]  # user ids
    unit_id: int | None = None  # the unit whose work-chat group hears of it (UNIT_CHAT_KINDS only)

    @property
    def immediate(self) -> bool:
        return self.kind in IMMEDIATE_KINDS

    @property
    def for_unit_chat(self) -> bool:
        return self.unit_id is not None and self.kind in UNIT_CHAT_KINDS


@dataclass(frozen=True)
class Roles:
    """Who holds which role on which unit (user ids), from UnitRole. Inactive accounts are left out."""

    secretaries: Mapping[int, frozenset[int]] = field(default_factory=dict)  # branch id → branch secretaries
    leaders: Mapping[int, frozenset[int]] = field(default_factory=dict)  # group id → group leaders
    general_secretaries: Mapping[int, frozenset[int]] = field(default_factory=dict)  # general branch id →
    committee_staff: frozenset[int] = frozenset()

    def of_branch(self, branch_id: int) -> frozenset[int]:
        return self.secretaries.get(branch_id, frozenset())

    def of_group(self, group_id: int, branch_id: int) -> frozenset[int]:
        """A group's leader; a group without one is the branch secretary's to run."""
        return self.leaders.get(group_id) or self.of_branch(branch_id)

    def of_unit(self, unit_id: int, kind: str) -> frozenset[int]:
        """Who runs a unit with a committee: its secretary (the committee's staff for the committee)."""
        if kind == tree_rules.BRANCH:
            return self.of_branch(unit_id)
        if kind == tree_rules.GENERAL_BRANCH:
            return self.general_secretaries.get(unit_id, frozenset())
        if kind == tree_rules.COMMITTEE:
            return self.committee_staff
        return frozenset()


def _short(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ymd(day: date) -> str:
    return f"{day:%Y-%m-%d}"


T = TypeVar("T")


def _upcoming(
    items: Iterable[T], due_of: Callable[[T], date | None], today: date, lead: int
) -> Iterator[tuple[T, date, int]]:
    """The items whose date is at most `lead` days off, or already past, with that date and the days
    left (negative: the days over). Items without a date are passed over. The deadline reminders
    (problems, 转正, 换届) all come this way: from `lead` days ahead, and on every day once missed."""
    for item in items:
        due = due_of(item)
        if due is not None and (days := (due - today).days) <= lead:
            yield item, due, days


def _left(days: int) -> str:
    """The days left before a deadline, as the reminders say it."""
    return "今天到期" if days == 0 else f"还剩 {days} 天"


# ---------------------------------------------------------------------------------------------
# Required meetings (三会一课), from the compliance page's own rows


@dataclass(frozen=True)
class BranchRef:
    id: int
    name: str


_PERIOD_WORDS = {compliance.MONTHLY: "本月", compliance.QUARTERLY: "本季度", compliance.YEARLY: "本年度"}


def meeting_reminders(
    branch: BranchRef,
    rows: Iterable[compliance.RequirementRow],
    today: date,
    lead: LeadTimes,
    roles: Roles,
) -> list[Reminder]:
    """Required meetings not yet held in a window that ends within `lead.meetings` days.

    `rows` are compliance.requirement_rows for the branch and the current quarter: the same cells
    (held / due / missing, days left) the compliance page shows. A cell is due while its window
    runs and nothing is held; a window already over is missing, which the compliance page and the
    assessment report, and a reminder can no longer help with. A group's meetings go to its
    leader (or, without one, to the branch secretary); the branch's to the branch secretary.
    """
    reminders = []
    for row in rows:
        requirement = row.requirement
        cells = row.months if requirement.frequency == compliance.MONTHLY else (row.summary,)
        for cell in cells:
            if cell.state != compliance.DUE or cell.days_left is None or cell.days_left > lead.meetings:
                continue
            is_group = row.unit_id != branch.id
            unit_name = f"{branch.name}{row.unit_name}" if is_group else branch.name
            recipients = roles.of_group(row.unit_id, branch.id) if is_group else roles.of_branch(branch.id)
            period = _PERIOD_WORDS[requirement.frequency]
            left = f"今天是{period}最后一天" if cell.days_left == 0 else f"{period}还剩 {cell.days_left} 天"
            reminders.append(
                Reminder(
                    key=f"{MEETING_DUE}:{row.unit_id}:{requirement.kind}:{_ymd(cell.start)}",
                    kind=MEETING_DUE,
                    text=f"{unit_name} {cell.label}{requirement.label}尚未召开，{left}",
                    link=Link("activities:create", query=(("unit", row.unit_id), ("kind", requirement.kind))),
                    recipients=recipients,
                    unit_id=row.unit_id,
                )
            )
    return reminders


# ---------------------------------------------------------------------------------------------
# Problems (问题清单) and the lagging branches' rectification


@dataclass(frozen=True)
class ProblemFacts:
    id: int
    branch_id: int
    branch_name: str
    kind: str  # "check" or "lagging" (assessment.models.Problem.Kind)
    description: str
    deadline: date
    closed: bool = False


CHECK, LAGGING_PROBLEM = "check", "lagging"


def problem_deadline_reminders(problems: Iterable[ProblemFacts], today: date, lead: LeadTimes, roles: Roles):
    """An open problem whose deadline is within `lead.problems` days (today included), and the day
    after a deadline is missed: to the branch secretary."""
    reminders = []
    open_problems = (p for p in problems if not p.closed)
    for p, deadline, days in _upcoming(open_problems, lambda p: p.deadline, today, lead.problems):
        what = f"{p.branch_name} 问题“{_short(p.description)}”"
        if days >= 0:
            kind = PROBLEM_DUE
            text = f"{what}整改期限为{_ymd(deadline)}，{_left(days)}，请按期整改并上传整改材料"
        else:
            kind = PROBLEM_OVERDUE
            text = f"{what}已超过整改期限{_ymd(deadline)}，尚未销号，请尽快整改并上传整改材料"
        reminders.append(
            Reminder(
                key=f"{kind}:{p.id}:{_ymd(deadline)}",
                kind=kind,
                text=text,
                link=Link("assessment:problem", (p.id,)),
                recipients=roles.of_branch(p.branch_id),
                unit_id=p.branch_id,
            )
        )
    return reminders


def problem_opened_reminder(p: ProblemFacts, roles: Roles) -> Reminder | None:
    """A new problem from a check, at once, to the branch secretary."""
    if p.kind != CHECK or p.closed:
        return None
    return Reminder(
        key=f"{PROBLEM_OPENED}:{p.id}",
        kind=PROBLEM_OPENED,
        text=(
            f"{p.branch_name} 检查发现问题：“{_short(p.description, 60)}”，"
            f"整改期限{_ymd(p.deadline)}，请制定措施按期整改"
        ),
        link=Link("assessment:problem", (p.id,)),
        recipients=roles.of_branch(p.branch_id),
        unit_id=p.branch_id,
    )


def lagging_reminders(problems: Iterable[ProblemFacts], roles: Roles) -> list[Reminder]:
    """An open rectification of a lagging branch: to its secretary and the committee staff."""
    return [
        Reminder(
            key=f"{LAGGING}:{p.id}",
            kind=LAGGING,
            text=f"{p.branch_name} {p.description}（整改期限{_ymd(p.deadline)}）",
            link=Link("assessment:problem", (p.id,)),
            recipients=roles.of_branch(p.branch_id) | roles.committee_staff,
            unit_id=p.branch_id,
        )
        for p in problems
        if p.kind == LAGGING_PROBLEM and not p.closed
    ]


# ---------------------------------------------------------------------------------------------
# The roster: 转正 and 换届


@dataclass(frozen=True)
class ProbationFacts:
    member_id: int
    name: str
    branch_id: int
    branch_name: str
    due: date | None  # members.rules.probation_due


def probation_reminders(members: Iterable[ProbationFacts], today: date, lead: LeadTimes, roles: Roles):
    """A probationary member due for 转正 within `lead.probation` days (or already overdue and never
    reminded of): to the branch secretary and the committee staff. Not to any group chat: it names a person."""
    return [
        Reminder(
            key=f"{PROBATION_DUE}:{m.member_id}:{_ymd(due)}",
            kind=PROBATION_DUE,
            text=(
                f"{m.branch_name} 预备党员{m.name}将于{_ymd(due)}预备期满（还剩 {days} 天），请按程序讨论其转正"
                if days >= 0
                else f"{m.branch_name} 预备党员{m.name}的预备期已于{_ymd(due)}届满（已过 {-days} 天），请及时讨论其转正"
            ),
            link=Link("members:detail", (m.member_id,)),
            recipients=roles.of_branch(m.branch_id) | roles.committee_staff,
        )
        for m, due, days in _upcoming(members, lambda m: m.due, today, lead.probation)
    ]


@dataclass(frozen=True)
class TermFacts:
    unit_id: int
    unit_name: str
    kind: str  # branches.rules kinds: committee, general_branch, branch
    ends_on: date | None  # branches.rules.term_end


def term_reminders(units: Iterable[TermFacts], today: date, lead: LeadTimes, roles: Roles) -> list[Reminder]:
    """A committee term ending within `lead.term` days (or already over): to the unit's secretary and
    the committee staff."""
    return [
        Reminder(
            key=f"{TERM_ENDING}:{u.unit_id}:{_ymd(ends_on)}",
            kind=TERM_ENDING,
            text=(
                f"{u.unit_name} 本届委员会任期至{_ymd(ends_on)}，还剩 {days} 天，请做好换届准备"
                if days >= 0
                else f"{u.unit_name} 本届委员会任期已于{_ymd(ends_on)}届满，请尽快换届"
            ),
            link=Link("branches:detail", (u.unit_id,)),
            recipients=roles.of_unit(u.unit_id, u.kind) | roles.committee_staff,
            unit_id=u.unit_id,
        )
        for u, ends_on, days in _upcoming(units, lambda u: u.ends_on, today, lead.term)
    ]


# ---------------------------------------------------------------------------------------------
# Recruitment (发展党员): the steps due, late, or now possible


@dataclass(frozen=True)
class RecruitFacts:
    recruit_id: int
    name: str
    branch_id: int
    branch_name: str
    progress: recruitment_rules.Progress  # recruitment.selectors.standing as of the day judged


# Per recruitment alert: who the person is at that stage, and what is due. 转正 itself (FULL_MEETING_DUE)
# is left out: the person is a probationary member on the roster by then, and probation_reminders tells it.
_RECRUIT_DUE_WORDS = {
    recruitment_rules.TALK_DUE: ("入党申请人", "派人谈话"),
    recruitment_rules.ASSESSMENT_DUE: ("入党积极分子", "培养考察"),
    recruitment_rules.APPROVAL_WAITING: ("发展对象", "经上级党委审批"),
    recruitment_rules.FULL_APPROVAL_WAITING: ("预备党员", "经上级党委审批转正"),
}


def recruitment_reminders(recruits: Iterable[RecruitFacts], today: date, roles: Roles) -> list[Reminder]:
    """Recruitment's due steps: a talk, a half-yearly assessment, an approval waiting for the committee
    (recruitment.rules.progress's alerts), each once `RECRUITMENT_LEAD_DAYS` before its deadline (or when
    first seen, if later) and once more when missed; and an activist who may now be made a 发展对象
    (one year as an activist, the assessments recorded), once. The branch's steps go to the branch
    secretary, the committee's (审批, 转正审批) to the committee staff. Never to a group chat: they name
    a person."""
    reminders = []
    for r in recruits:
        for alert in r.progress.alerts:
            if alert.kind not in _RECRUIT_DUE_WORDS:
                continue
            who, what = _RECRUIT_DUE_WORDS[alert.kind]
            days = (alert.due_on - today).days
            if alert.late:
                key = f"{RECRUITMENT}:{r.recruit_id}:{alert.kind}:{_ymd(alert.due_on)}:late"
                text = f"{r.branch_name} {who}{r.name}应于{_ymd(alert.due_on)}前{what}，已逾期 {-days} 天，请尽快办理"
            elif days <= RECRUITMENT_LEAD_DAYS:
                key = f"{RECRUITMENT}:{r.recruit_id}:{alert.kind}:{_ymd(alert.due_on)}"
                text = f"{r.branch_name} {who}{r.name}应于{_ymd(alert.due_on)}前{what}，{_left(days)}"
            else:
                continue
            recipients = roles.committee_staff if alert.for_committee else roles.of_branch(r.branch_id)
            reminders.append(Reminder(key, RECRUITMENT, text, Link("recruitment:detail", (r.recruit_id,)), recipients))
        ready_on = r.progress.next_not_before
        if r.progress.next_step == recruitment_rules.CANDIDATE and ready_on is not None and ready_on <= today:
            reminders.append(
                Reminder(
                    key=f"{RECRUITMENT}:{r.recruit_id}:candidate_ready:{_ymd(ready_on)}",
                    kind=RECRUITMENT,
                    text=f"{r.branch_name} {r.name} 的考察期满一年（{_ymd(ready_on)}起），可列为发展对象",
                    link=Link("recruitment:detail", (r.recruit_id,)),
                    recipients=roles.of_branch(r.branch_id),
                )
            )
    return reminders


# ---------------------------------------------------------------------------------------------
# Members: appraisal and pledges


@dataclass(frozen=True)
class AppraisalFacts:
    id: int
    branch_id: int
    branch_name: str
    label: str  # 2026年度民主评议
    to_act: frozenset[int]  # users of participants who have not yet appraised themselves or cast their ballot


def appraisal_reminders(appraisals: Iterable[AppraisalFacts]) -> list[Reminder]:
    """An appraisal open for members to grade: to each participant who still has something to do."""
    return [
        Reminder(
            key=f"{APPRAISAL_OPEN}:{a.id}",
            kind=APPRAISAL_OPEN,
            text=f"{a.branch_name} {a.label}已开始，请完成自我评价和对其他党员的互评",
            link=Link("pledges:appraisal_detail", (a.id,)),
            recipients=a.to_act,
            unit_id=a.branch_id,
        )
        for a in appraisals
    ]


def pledges_due(today: date) -> bool:
    return (today.month, today.day) >= (PLEDGE_DUE_MONTH, PLEDGE_DUE_DAY)


def pledge_reminder(today: date, without_pledge: Iterable[int]) -> Reminder | None:
    """From February, members (users) with no pledge for the year yet: one reminder each per year."""
    recipients = frozenset(without_pledge)
    if not pledges_due(today) or not recipients:
        return None
    return Reminder(
        key=f"{PLEDGES_MISSING}:{today.year}",
        kind=PLEDGES_MISSING,
        text=f"您尚未作出{today.year}年度公开承诺，请在“承诺评议”中填写本年度的承诺事项",
        link=Link("pledges:new"),
        recipients=recipients,
    )


# ---------------------------------------------------------------------------------------------
# Events told at once: a record returned, the year's ratings approved or reversed


@dataclass(frozen=True)
class ReturnedFacts:
    meeting_id: int
    branch_id: int
    unit_name: str
    kind: str  # compliance meeting kind
    held_on: date
    topic: str
    comment: str
    returned_at: datetime
    logged_by: int | None  # the user who logged the record (Meeting.created_by)


def returned_reminder(r: ReturnedFacts, roles: Roles) -> Reminder:
    """A record returned with a comment: to whoever logged it (the branch secretary if nobody is known)."""
    recipients = frozenset({r.logged_by}) if r.logged_by is not None else roles.of_branch(r.branch_id)
    record = f"{r.unit_name} {_ymd(r.held_on)} {compliance.KIND_LABELS[r.kind]}“{_short(r.topic)}”"
    return Reminder(
        # A record can be returned again after it is resubmitted: each return is its own occasion.
        key=f"{RECORD_RETURNED}:{r.meeting_id}:{r.returned_at:%Y%m%d%H%M%S%f}",
        kind=RECORD_RETURNED,
        text=f"您登记的{record}被退回，退回意见：{_short(r.comment, 100)}。请修改后重新提交",
        link=Link("activities:detail", (r.meeting_id,)),
        recipients=recipients,
    )


@dataclass(frozen=True)
class BranchOutcome:
    branch_id: int
    branch_name: str
    level: int | None  # None: the branch did not apply (后进党支部)
    action: str  # assessment.rating.Action value, "" without a level


# The labels of assessment.rating.Action by their stored value (BranchRating.action is a plain string).
ACTION_LABELS: dict[str, str] = {action.value: label for action, label in rating_rules.ACTION_LABELS.items()}


def rating_reminders(year: int, approved_at: datetime, outcomes: Iterable[BranchOutcome], roles: Roles):
    """The year approved: each branch secretary hears their own branch's level and action."""
    stamp = f"{approved_at:%Y%m%d%H%M%S%f}"
    reminders = []
    for o in outcomes:
        if o.level is None:
            result = "未申报星级，列为后进党支部，请按要求制定整改措施"
        else:
            action = ACTION_LABELS.get(o.action, "")
            result = f"评定为{rating_rules.LEVEL_LABELS[o.level]}" + (f"（{action}）" if action else "")
        reminders.append(
            Reminder(
                key=f"{RATING_APPROVED}:{year}:{stamp}:{o.branch_id}",
                kind=RATING_APPROVED,
                text=f"{year}年度星级评定结果已审批公布：{o.branch_name}{result}",
                link=Link("assessment:branch", (o.branch_id,)),
                recipients=roles.of_branch(o.branch_id),
            )
        )
    return reminders


def reversal_reminders(year: int, reversal_id: int, reason: str, branches: Iterable[BranchRef], roles: Roles):
    """An approved year reopened: each branch secretary hears that the published level is withdrawn."""
    return [
        Reminder(
            key=f"{RATING_REVERSED}:{reversal_id}:{b.id}",
            kind=RATING_REVERSED,
            text=(
                f"{year}年度星级评定的审批已撤销（理由：{_short(reason, 60)}），"
                f"此前公布的{b.name}星级暂不生效，以重新审批的结果为准"
            ),
            link=Link("assessment:branch", (b.id,)),
            recipients=roles.of_branch(b.id),
        )
        for b in branches
    ]


# ---------------------------------------------------------------------------------------------
# Channels: who gets a mail, when, and what it says


def email_route(*, immediate: bool, address: str, email_enabled: bool, mode: str) -> str | None:
    """How a notice reaches a person by mail: IMMEDIATE, DIGEST, or None (the inbox only).

    No address, or e-mail switched off: the inbox only. Events told at once are mailed at once even
    to those who take the daily digest; those who chose immediate mails get every reminder at once.
    """
    if not address or not email_enabled:
        return None
    if immediate or mode == IMMEDIATE:
        return IMMEDIATE
    return DIGEST


SUBJECT_PREFIX = "【星级支部】"
# WeCom accepts 2048 bytes of text, DingTalk more; stay under both.
CHAT_MAX_BYTES = 2000


@dataclass(frozen=True)
class Item:
    text: str
    url: str  # absolute


def digest_subject(day: date, count: int) -> str:
    return f"{SUBJECT_PREFIX}{day.month}月{day.day}日的提醒（{count}条）"


def digest_body(name: str, day: date, items: list[Item], inbox_url: str, preferences_url: str) -> str:
    lines = [f"{name}：", "", f"截至{day.year}年{day.month}月{day.day}日，有以下{len(items)}条提醒需要您处理：", ""]
    for number, item in enumerate(items, start=1):
        lines += [f"{number}. {item.text}", f"   {item.url}", ""]
    lines += _footer(inbox_url, preferences_url)
    return "\n".join(lines)


def immediate_subject(kind: str, text: str) -> str:
    return f"{SUBJECT_PREFIX}{KIND_LABELS[kind]}：{_short(text, 40)}"


def immediate_body(name: str, item: Item, inbox_url: str, preferences_url: str) -> str:
    return "\n".join([f"{name}：", "", item.text, "", f"查看：{item.url}", "", *_footer(inbox_url, preferences_url)])


def _footer(inbox_url: str, preferences_url: str) -> list[str]:
    return [
        "——",
        f"所有提醒都在“通知”中：{inbox_url}",
        f"不想收到邮件，或想改为每日汇总/即时提醒，请在“通知设置”中修改：{preferences_url}",
        "本邮件由星级支部系统自动发送，请勿直接回复。",
    ]


def chat_text(unit_name: str, items: list[Item], site_url: str) -> str:
    """A short text for the unit's work-chat group; cut to what the robots accept."""
    head = f"{SUBJECT_PREFIX}{unit_name}："
    tail = f"详情请登录星级支部：{site_url}"
    lines = [head]
    for number, item in enumerate(items, start=1):
        line = f"{number}. {item.text}" if len(items) > 1 else item.text
        rest = len(items) - number
        more = f"……另有 {rest} 条，请登录查看" if rest else ""
        if len("\n".join([*lines, line, more, tail]).encode()) > CHAT_MAX_BYTES:
            lines.append(f"……另有 {rest + 1} 条，请登录查看")
            break
        lines.append(line)
    lines.append(tail)
    return "\n".join(lines)
