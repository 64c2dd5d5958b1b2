"""The reminder rules as pure functions: no database here."""

from datetime import date, datetime

from activities import compliance as c
from activities.compliance import BranchMeetingFacts, GroupFacts, Tally
from core.periods import Period, quarter_of
from notices import rules as r
from recruitment import rules as recruitment_rules

BRANCH, GROUP, OTHER_BRANCH = 1, 11, 2
SECRETARY, LEADER, OTHER_SECRETARY, STAFF = 101, 102, 103, 104
ROLES = r.Roles(
    secretaries={BRANCH: frozenset({SECRETARY}), OTHER_BRANCH: frozenset({OTHER_SECRETARY})},
    leaders={GROUP: frozenset({LEADER})},
    committee_staff=frozenset({STAFF}),
)
LEAD = r.DEFAULT_LEAD_TIMES


ONE_GROUP = (GroupFacts(GROUP, "第一党小组"),)


def rows(today, held=(), *, full_members=9, groups=ONE_GROUP):
    """The compliance page's rows for the branch and today's quarter, from (unit, kind, day) held."""
    tallies: dict = {}
    for unit_id, kind, day in held:
        key = (unit_id, kind, (day.year, day.month))
        tallies[key] = tallies.get(key, Tally()) + Tally(1)
    facts = BranchMeetingFacts(
        BRANCH, Period.for_year(today.year), full_members=full_members, groups=tuple(groups), tallies=tallies
    )
    year, quarter = quarter_of(today)
    return c.requirement_rows(facts, year, quarter, today)


def meetings(today, held=(), lead=LEAD, **kw):
    found = r.meeting_reminders(r.BranchRef(BRANCH, "刑事审判庭党支部"), rows(today, held, **kw), today, lead, ROLES)
    return {m.text: m for m in found}


def test_a_monthly_meeting_is_due_n_days_before_the_month_ends():
    # 25 November: 5 days left in the month, inside the default 7.
    found = meetings(date(2026, 11, 25))
    text = "刑事审判庭党支部 11月支部委员会尚未召开，本月还剩 5 天"
    assert text in found
    reminder = found[text]
    assert reminder.recipients == {SECRETARY}
    assert reminder.key == "meeting_due:1:committee_meeting:2026-11-01"
    assert reminder.link == r.Link("activities:create", query=(("unit", BRANCH), ("kind", "committee_meeting")))
    assert reminder.unit_id == BRANCH and reminder.for_unit_chat and not reminder.immediate
    # Eight days before the end: not yet.
    assert not meetings(date(2026, 11, 22))
    # A lead time of 10 days brings it forward.
    assert "刑事审判庭党支部 11月支部委员会尚未召开，本月还剩 8 天" in meetings(
        date(2026, 11, 22), lead=r.LeadTimes(meetings=10)
    )


def test_a_meeting_held_is_no_longer_due():
    today = date(2026, 11, 25)
    found = meetings(today, [(BRANCH, c.COMMITTEE_MEETING, date(2026, 11, 3))])
    assert not any("支部委员会" in text for text in found)
    assert any("主题党日" in text for text in found)


def test_at_the_quarters_end_monthly_and_quarterly_meetings_are_both_due():
    found = meetings(date(2026, 12, 28))  # 3 days left in December and in the fourth quarter
    assert "刑事审判庭党支部 12月主题党日尚未召开，本月还剩 3 天" in found
    assert "刑事审判庭党支部 第4季度支部党员大会尚未召开，本季度还剩 3 天" in found
    assert "刑事审判庭党支部 第4季度党课尚未召开，本季度还剩 3 天" in found
    # The yearly 组织生活会 comes up at the year's end too.
    assert "刑事审判庭党支部 2026年组织生活会尚未召开，本年度还剩 3 天" in found
    # The last day says so.
    assert "刑事审判庭党支部 12月主题党日尚未召开，今天是本月最后一天" in meetings(date(2026, 12, 31))


def test_a_new_quarter_starts_with_nothing_due():
    # 1 April: the first quarter's windows are over (missing, not due) and the new ones end far away.
    assert meetings(date(2026, 4, 1)) == {}
    # Within March's last week the quarterly meetings of the first quarter were due.
    march = meetings(date(2026, 3, 27))
    assert "刑事审判庭党支部 第1季度支部党员大会尚未召开，本季度还剩 4 天" in march
    # Mid-quarter, a quarterly meeting is not due even near a month's end.
    assert not any("第2季度" in text for text in meetings(date(2026, 5, 28)))


def test_a_groups_meetings_go_to_its_leader_or_else_the_branch_secretary():
    found = meetings(date(2026, 11, 25))
    group = found["刑事审判庭党支部第一党小组 11月党小组会尚未召开，本月还剩 5 天"]
    assert group.recipients == {LEADER} and group.unit_id == GROUP
    assert group.key == "meeting_due:11:group_meeting:2026-11-01"
    leaderless = r.meeting_reminders(
        r.BranchRef(BRANCH, "刑事审判庭党支部"),
        rows(date(2026, 11, 25), groups=(GroupFacts(12, "第二党小组"),)),
        date(2026, 11, 25),
        LEAD,
        ROLES,
    )
    second = next(m for m in leaderless if "第二党小组" in m.text)
    assert second.recipients == {SECRETARY}
    # A group founded after the month is not asked for that month's meeting.
    late = meetings(date(2026, 11, 25), groups=(GroupFacts(GROUP, "第一党小组", date(2026, 12, 1)),))
    assert not any("党小组会" in text for text in late)


def test_a_small_branch_without_a_committee_is_not_asked_for_committee_meetings():
    assert not any("支部委员会" in text for text in meetings(date(2026, 11, 25), full_members=5))


# Problems ---------------------------------------------------------------------------------------


def problem(deadline, **kw):
    fields = dict(id=7, branch_id=BRANCH, branch_name="刑事审判庭党支部", kind="check", description="支委会记录不全")
    return r.ProblemFacts(deadline=deadline, **{**fields, **kw})


def test_a_problem_due_in_n_days_today_and_the_day_after_it_is_missed():
    today = date(2026, 11, 10)
    assert r.problem_deadline_reminders([problem(date(2026, 11, 18))], today, LEAD, ROLES) == []  # 8 days
    (soon,) = r.problem_deadline_reminders([problem(date(2026, 11, 17))], today, LEAD, ROLES)
    assert soon.text == "刑事审判庭党支部 问题“支委会记录不全”整改期限为2026-11-17，还剩 7 天，请按期整改并上传整改材料"
    assert (soon.kind, soon.recipients, soon.key) == ("problem_due", {SECRETARY}, "problem_due:7:2026-11-17")
    (due_today,) = r.problem_deadline_reminders([problem(today)], today, LEAD, ROLES)
    assert "今天到期" in due_today.text and due_today.key == "problem_due:7:2026-11-10"
    (missed,) = r.problem_deadline_reminders([problem(date(2026, 11, 9))], today, LEAD, ROLES)
    assert missed.kind == "problem_overdue" and missed.key == "problem_overdue:7:2026-11-09"
    assert "已超过整改期限2026-11-09，尚未销号" in missed.text
    assert r.problem_deadline_reminders([problem(date(2026, 11, 9), closed=True)], today, LEAD, ROLES) == []


def test_a_new_problem_is_told_at_once_and_a_lagging_branch_to_the_committee_too():
    opened = r.problem_opened_reminder(problem(date(2026, 12, 31)), ROLES)
    assert opened.immediate and opened.recipients == {SECRETARY}
    assert opened.text.startswith("刑事审判庭党支部 检查发现问题：“支委会记录不全”，整改期限2026-12-31")
    lagging = problem(date(2027, 3, 16), kind="lagging", description="2026年度未申报星级，列为后进党支部")
    assert r.problem_opened_reminder(lagging, ROLES) is None  # not a check's problem
    (rectify,) = r.lagging_reminders([lagging, problem(date(2026, 12, 31))], ROLES)
    assert rectify.recipients == {SECRETARY, STAFF} and not rectify.immediate
    assert rectify.text == "刑事审判庭党支部 2026年度未申报星级，列为后进党支部（整改期限2027-03-16）"


def test_a_secretary_never_hears_of_another_branchs_business():
    today = date(2026, 11, 25)
    other = problem(today, id=8, branch_id=OTHER_BRANCH, branch_name="办公室党支部")
    mine = problem(today)
    found = r.problem_deadline_reminders([mine, other], today, LEAD, ROLES)
    assert {m.key: m.recipients for m in found} == {
        "problem_due:7:2026-11-25": {SECRETARY},
        "problem_due:8:2026-11-25": {OTHER_SECRETARY},
    }
    for m in meetings(today).values():
        assert OTHER_SECRETARY not in m.recipients


# The roster ---------------------------------------------------------------------------------------


def test_probation_within_30_days_goes_to_the_secretary_and_the_committee():
    member = r.ProbationFacts(5, "钱预备", BRANCH, "刑事审判庭党支部", date(2026, 12, 20))
    assert r.probation_reminders([member], date(2026, 11, 19), LEAD, ROLES) == []  # 31 days
    (due,) = r.probation_reminders([member], date(2026, 11, 20), LEAD, ROLES)
    assert due.text == "刑事审判庭党支部 预备党员钱预备将于2026-12-20预备期满（还剩 30 天），请按程序讨论其转正"
    assert due.recipients == {SECRETARY, STAFF} and due.unit_id is None  # names a person: no group chat
    (late,) = r.probation_reminders([member], date(2026, 12, 22), LEAD, ROLES)
    assert late.key == due.key  # the same occasion: whoever was told once is not told again
    undated = r.ProbationFacts(6, "无日期", BRANCH, "x", None)
    assert r.probation_reminders([undated], date(2026, 12, 1), LEAD, ROLES) == []


# Recruitment ------------------------------------------------------------------------------------


def recruit(today, *steps, probation_ends=None, branch=BRANCH):
    """李思远 with one date per step, in order from step 1, and where they stand on `today`."""
    dates = {number: [day] for number, day in enumerate(steps, start=1)}
    progress = recruitment_rules.progress(dates, today, probation_ends=probation_ends)
    return r.RecruitFacts(7, "李思远", branch, "刑事审判庭党支部", progress)


def recruiting(today, *steps, **kw):
    return {m.text: m for m in r.recruitment_reminders([recruit(today, *steps, **kw)], today, ROLES)}


def test_a_talk_due_within_a_month_of_the_application_and_the_day_after_it_is_missed():
    applied = date(2026, 11, 1)  # the talk is due by 2026-12-01
    (due,) = recruiting(date(2026, 11, 1), applied).values()
    assert due.text == "刑事审判庭党支部 入党申请人李思远应于2026-12-01前派人谈话，还剩 30 天"
    assert due.key == "recruitment:7:talk:2026-12-01" and due.kind == r.RECRUITMENT
    assert due.recipients == {SECRETARY} and due.unit_id is None and not due.immediate  # names a person
    assert due.link == r.Link("recruitment:detail", (7,))
    assert list(recruiting(date(2026, 12, 1), applied)) == [
        "刑事审判庭党支部 入党申请人李思远应于2026-12-01前派人谈话，今天到期"
    ]
    (late,) = recruiting(date(2026, 12, 2), applied).values()
    assert late.text == "刑事审判庭党支部 入党申请人李思远应于2026-12-01前派人谈话，已逾期 1 天，请尽快办理"
    assert late.key == "recruitment:7:talk:2026-12-01:late"  # a second occasion: told once more
    assert recruiting(date(2026, 11, 5), applied, date(2026, 11, 4)) == {}  # talked: nothing due


def test_an_assessment_due_is_told_30_days_ahead():
    steps = (date(2025, 1, 5), date(2025, 1, 20), date(2025, 3, 1), date(2025, 3, 5), date(2025, 3, 10))
    # An activist since 2025-03-01, not yet assessed: due by 2025-09-01.
    assert recruiting(date(2025, 8, 1), *steps) == {}  # 31 days ahead
    assert list(recruiting(date(2025, 8, 2), *steps)) == [
        "刑事审判庭党支部 入党积极分子李思远应于2025-09-01前培养考察，还剩 30 天"
    ]
    assert list(recruiting(date(2025, 9, 2), *steps)) == [
        "刑事审判庭党支部 入党积极分子李思远应于2025-09-01前培养考察，已逾期 1 天，请尽快办理"
    ]


def test_an_activist_of_one_year_may_be_made_a_development_candidate():
    steps = (date(2025, 9, 1), date(2025, 9, 20), date(2025, 11, 25), date(2025, 12, 1), date(2025, 12, 5))
    assessed = date(2026, 8, 1)  # the next assessment is due 2027-02-01: nothing else to tell
    assert recruiting(date(2026, 11, 24), *steps, assessed) == {}  # a day short of the year
    (ready,) = recruiting(date(2026, 11, 25), *steps, assessed).values()
    assert ready.text == "刑事审判庭党支部 李思远 的考察期满一年（2026-11-25起），可列为发展对象"
    assert ready.recipients == {SECRETARY} and ready.key == "recruitment:7:candidate_ready:2026-11-25"
    assert list(recruiting(date(2026, 12, 20), *steps, assessed).values()) == [ready]  # the same occasion
    # Not assessed yet: the assessment comes first (the steps go in order), not the candidacy.
    assert all("可列为发展对象" not in text for text in recruiting(date(2026, 11, 25), *steps))
    made = recruiting(date(2026, 11, 30), *steps, assessed, date(2026, 11, 26))
    assert all("可列为发展对象" not in text for text in made)


def meeting_steps(meeting: date):
    """Steps 1 to 15, the branch meeting (15) on `meeting`, the others a day apart before it."""
    return tuple(meeting.fromordinal(meeting.toordinal() - 14 + n) for n in range(15))


def test_an_approval_waiting_goes_to_the_committee_staff_only():
    steps = meeting_steps(date(2026, 10, 1))  # approval due by 2027-01-01
    assert recruiting(date(2026, 12, 1), *steps) == {}
    (waiting,) = recruiting(date(2026, 12, 2), *steps).values()
    assert waiting.text == "刑事审判庭党支部 发展对象李思远应于2027-01-01前经上级党委审批，还剩 30 天"
    assert waiting.recipients == {STAFF}
    (late,) = recruiting(date(2027, 1, 2), *steps).values()
    assert late.recipients == {STAFF} and "已逾期 1 天" in late.text


def test_probation_is_left_to_the_roster_and_full_approval_goes_to_the_committee():
    meeting, ends = date(2025, 10, 1), date(2026, 10, 1)
    approved = (*meeting_steps(meeting), date(2025, 10, 11), date(2025, 10, 21))  # steps 16 and 17
    # Due for 转正: recruitment alerts it, but probation_reminders tells it from the roster (once).
    facts = recruit(date(2026, 9, 25), *approved, probation_ends=ends)
    assert [a.kind for a in facts.progress.alerts] == [recruitment_rules.FULL_MEETING_DUE]
    assert r.recruitment_reminders([facts], date(2026, 9, 25), ROLES) == []
    steps_18_to_22 = (date(2025, 11, 1), date(2025, 11, 10), date(2025, 11, 20), date(2026, 5, 1), date(2026, 9, 1))
    met = (*approved, *steps_18_to_22, ends)  # 支部大会讨论转正 (23) on the day the probation ends
    assert recruiting(date(2026, 12, 1), *met, probation_ends=ends) == {}  # approval due by 2027-01-01
    (waiting,) = recruiting(date(2026, 12, 2), *met, probation_ends=ends).values()
    assert waiting.text == "刑事审判庭党支部 预备党员李思远应于2027-01-01前经上级党委审批转正，还剩 30 天"
    assert waiting.recipients == {STAFF}


def test_a_secretary_hears_only_of_their_own_branchs_recruits():
    today = date(2026, 11, 1)
    found = r.recruitment_reminders([recruit(today, today, branch=OTHER_BRANCH)], today, ROLES)
    assert [m.recipients for m in found] == [{OTHER_SECRETARY}]


def test_a_term_ending_within_90_days():
    unit = r.TermFacts(BRANCH, "刑事审判庭党支部", "branch", date(2027, 2, 1))
    assert r.term_reminders([unit], date(2026, 11, 2), LEAD, ROLES) == []  # 91 days
    (due,) = r.term_reminders([unit], date(2026, 11, 3), LEAD, ROLES)
    assert due.text == "刑事审判庭党支部 本届委员会任期至2027-02-01，还剩 90 天，请做好换届准备"
    assert due.recipients == {SECRETARY, STAFF}
    general = r.TermFacts(50, "第一党总支", "general_branch", date(2026, 10, 1))
    roles = r.Roles(general_secretaries={50: frozenset({200})}, committee_staff=frozenset({STAFF}))
    (expired,) = r.term_reminders([general], date(2026, 11, 3), LEAD, roles)
    assert expired.recipients == {200, STAFF} and "已于2026-10-01届满" in expired.text


# Members -----------------------------------------------------------------------------------------


def test_an_open_appraisal_reaches_those_who_still_have_to_grade():
    appraisal = r.AppraisalFacts(3, BRANCH, "刑事审判庭党支部", "2026年度民主评议", frozenset({301, 302}))
    (reminder,) = r.appraisal_reminders([appraisal])
    assert reminder.recipients == {301, 302} and reminder.link == r.Link("pledges:appraisal_detail", (3,))
    assert reminder.text == "刑事审判庭党支部 2026年度民主评议已开始，请完成自我评价和对其他党员的互评"


def test_pledges_not_made_by_february():
    assert r.pledge_reminder(date(2027, 1, 31), [301]) is None
    reminder = r.pledge_reminder(date(2027, 2, 1), [301, 302])
    assert reminder.key == "pledges_missing:2027" and reminder.recipients == {301, 302}
    assert reminder.text == "您尚未作出2027年度公开承诺，请在“承诺评议”中填写本年度的承诺事项"
    assert r.pledge_reminder(date(2027, 6, 1), []) is None


# Events told at once -------------------------------------------------------------------------------


def returned(logged_by=42):
    return r.ReturnedFacts(
        9,
        BRANCH,
        "刑事审判庭党支部",
        c.PARTY_LESSON,
        date(2026, 11, 3),
        "学习贯彻全会精神专题党课",
        "缺少授课内容要点",
        datetime(2026, 11, 6, 10, 30),
        logged_by,
    )


def test_a_returned_record_goes_to_whoever_logged_it():
    reminder = r.returned_reminder(returned(), ROLES)
    assert reminder.recipients == {42} and reminder.immediate and not reminder.for_unit_chat
    assert reminder.text == (
        "您登记的刑事审判庭党支部 2026-11-03 党课“学习贯彻全会精神专题党课”被退回，"
        "退回意见：缺少授课内容要点。请修改后重新提交"
    )
    assert reminder.link == r.Link("activities:detail", (9,))
    assert r.returned_reminder(returned(None), ROLES).recipients == {SECRETARY}


def test_ratings_approved_tell_each_secretary_their_own_level_and_action():
    outcomes = [
        r.BranchOutcome(BRANCH, "刑事审判庭党支部", 4, "up"),
        r.BranchOutcome(OTHER_BRANCH, "办公室党支部", None, ""),
    ]
    found = r.rating_reminders(2026, datetime(2027, 1, 20, 9, 0), outcomes, ROLES)
    assert [(m.recipients, m.text) for m in found] == [
        ({SECRETARY}, "2026年度星级评定结果已审批公布：刑事审判庭党支部评定为四星（升星授牌）"),
        (
            {OTHER_SECRETARY},
            "2026年度星级评定结果已审批公布：办公室党支部未申报星级，列为后进党支部，请按要求制定整改措施",
        ),
    ]
    (reversed_,) = r.reversal_reminders(2026, 4, "分数录入有误", [r.BranchRef(BRANCH, "刑事审判庭党支部")], ROLES)
    assert reversed_.immediate and "审批已撤销（理由：分数录入有误）" in reversed_.text


# Channels -------------------------------------------------------------------------------------------


def test_who_gets_mail_and_how():
    route = r.email_route
    # A member whose e-mail is empty: the inbox only.
    assert route(immediate=False, address="", email_enabled=True, mode=r.DIGEST) is None
    assert route(immediate=True, address="", email_enabled=True, mode=r.IMMEDIATE) is None
    assert route(immediate=False, address="a@court.example", email_enabled=False, mode=r.DIGEST) is None
    assert route(immediate=False, address="a@court.example", email_enabled=True, mode=r.DIGEST) == r.DIGEST
    assert route(immediate=True, address="a@court.example", email_enabled=True, mode=r.DIGEST) == r.IMMEDIATE
    assert route(immediate=False, address="a@court.example", email_enabled=True, mode=r.IMMEDIATE) == r.IMMEDIATE


def test_the_digest_lists_every_reminder_with_its_link():
    items = [r.Item("第一条", "http://x/1"), r.Item("第二条", "http://x/2")]
    assert r.digest_subject(date(2026, 11, 25), 2) == "【星级支部】11月25日的提醒（2条）"
    body = r.digest_body("李明", date(2026, 11, 25), items, "http://x/notices/", "http://x/notices/preferences/")
    assert body.startswith("李明：\n\n截至2026年11月25日，有以下2条提醒需要您处理：")
    assert "1. 第一条\n   http://x/1" in body and "2. 第二条\n   http://x/2" in body
    assert "通知设置" in body and "http://x/notices/preferences/" in body


def test_a_chat_message_stays_within_what_the_robots_accept():
    short = r.chat_text("刑事审判庭党支部", [r.Item("11月支部委员会尚未召开", "u")], "http://x")
    assert short == "【星级支部】刑事审判庭党支部：\n11月支部委员会尚未召开\n详情请登录星级支部：http://x"
    many = [r.Item(f"第{i}条提醒，内容较长，用来撑满群消息的长度限制" * 2, "u") for i in range(100)]
    text = r.chat_text("刑事审判庭党支部", many, "http://x")
    assert len(text.encode()) <= r.CHAT_MAX_BYTES
    assert "请登录查看" in text and text.endswith("详情请登录星级支部：http://x")
