"""The workbook's rows as plain functions over plain data: no database."""

from datetime import date
from decimal import Decimal as D

from activities import compliance
from activities.compliance import Tally
from assessment.yearbook import workbook as wb
from core.spreadsheets import Percent

ZB1 = wb.Branch(1, "ZB1", "刑事审判庭党支部", "第一党总支")


def line(**fields):
    return wb.SummaryLine(**{"status": "approved", "rated": True, **fields})


def test_summary_row_of_a_rated_branch():
    row = wb.summary_row(
        ZB1,
        line(
            applied_level=5,
            previous_year_level=3,
            quarter_mean=D("96.5125"),
            annual=D("98.5"),
            score=D("97.7"),
            level=5,
            action="up",
            notes="分数段五星；上次核定（2024年）三星 → 五星：升星授牌",
        ),
    )
    assert row == [
        "ZB1",
        "刑事审判庭党支部",
        "第一党总支",
        5,
        D("96.51"),
        D("98.50"),
        D("97.70"),
        5,
        3,
        "升星授牌",
        "五星激励",
        "已审批",
        "分数段五星；上次核定（2024年）三星 → 五星：升星授牌",
    ]


def test_summary_flags_and_actions():
    interview = wb.summary_row(ZB1, line(applied_level=2, level=1, action="down", previous_year_level=3))
    assert interview[7:11] == [1, 3, "降星摘牌", "约谈"]
    restored = wb.summary_row(ZB1, line(applied_level=4, level=4, action="restore"))
    assert restored[9:11] == ["复星复牌", None]
    assert wb.summary_row(ZB1, line(applied_level=3, level=3, action="same"))[9] == "保持"
    assert wb.summary_row(ZB1, line(applied_level=3, level=3, action="first"))[9] == "首次评定"


def test_a_lagging_branch_has_no_level_and_no_action():
    row = wb.summary_row(ZB1, line(level=None, action="", score=D("75"), previous_year_level=4))
    assert row[3] is None and row[7] is None and row[9] is None
    assert row[8] == 4 and row[10] == "后进党支部"


def test_an_unrated_or_unpublished_year_shows_the_application_only():
    row = wb.summary_row(ZB1, wb.SummaryLine(status="proposed", applied_level=4, previous_year_level=3))
    assert row[3:] == [4, None, None, None, None, 3, None, None, "待审批", None]


INDICATORS = [
    wb.IndicatorInfo("A1", "书记述职评议", "A", D("3"), False, manual=True),
    wb.IndicatorInfo("B2", "支委会", "B", D("6"), True),
]


def test_indicator_rows_give_quarters_the_annual_points_and_the_notes():
    scores = wb.BranchScores()
    scores.add("B2", 1, D("4"), "B2 支委会：2/3 个月达标 → 4.00/6")
    scores.add("B2", 2, D("6"), "B2 支委会：3/3 个月达标 → 6.00/6")
    scores.add("A1", 0, D("2.5"), "述职较好")
    a1, b2 = list(wb.indicator_rows(ZB1, wb.indicator_layout(INDICATORS), scores, {"A1": 2}))
    assert a1 == [
        "ZB1",
        "刑事审判庭党支部",
        "A1",
        "书记述职评议",
        D("3.00"),
        None,
        None,
        None,
        None,
        D("2.50"),
        "述职较好",
        2,  # 佐证材料: two documents back A1
    ]
    # the annual assessment counts a quarter never scored as 0: (4 + 6 + 0 + 0) / 4
    assert b2[4:10] == [D("6.00"), D("4.00"), D("6.00"), None, None, D("2.50")]
    assert b2[10] == "第一季度：B2 支委会：2/3 个月达标 → 4.00/6；第二季度：B2 支委会：3/3 个月达标 → 6.00/6"
    assert b2[11] is None  # an auto indicator stands on the records, not on documents


def test_an_indicator_never_scored_is_blank_and_counts_zero():
    rows = list(wb.indicator_rows(ZB1, wb.indicator_layout(INDICATORS), wb.BranchScores()))
    assert rows[1][5:] == [None, None, None, None, D("0.00"), None, None]
    assert rows[0][11] == 0  # a manual indicator with no document says so


def test_meeting_rows_count_kinds_attendance_and_flags():
    tallies = {
        (1, compliance.GENERAL_MEETING): Tally(1, 10, 6, 0, 1),
        (1, compliance.GROUP_MEETING): Tally(3, 12, 12, 1, 0),
        (1, compliance.THEME_DAY): Tally(2, 20, 10, 1, 0),  # not a 三会一课 kind: no attendance
        (3, compliance.VOLUNTEER): Tally(1, 5, 5, 0, 0),
    }
    q1, q2, q3, q4 = wb.meeting_rows(ZB1, tallies)
    assert q1 == ["ZB1", "刑事审判庭党支部", "第一季度", 1, 0, 3, 0, 2, Percent(0.8182), 2, 1]
    assert isinstance(q1[8], Percent)
    assert q2[3:] == [0, 0, 0, 0, 0, None, 0, 0]
    assert q3[3:] == [0, 0, 0, 0, 0, None, 0, 0]  # volunteering is counted in no column
    assert q4[2] == "第四季度"


def test_member_row():
    row = wb.member_row(wb.MemberLine("ZB1", "赵敏", False, "basic", present=2, expected=3, fulfilment=D("0.75")))
    assert row == ["ZB1", "赵敏", "预备党员", "基本合格", Percent(0.6667), Percent(0.75)]
    assert wb.member_row(wb.MemberLine("ZB1", "张伟", True))[2:] == ["正式党员", None, None, None]


def test_problem_status_as_of_the_export_day():
    today = date(2026, 4, 1)
    assert wb.problem_status(date(2026, 3, 1), date(2026, 3, 1), today) == "按期销号"
    assert wb.problem_status(date(2026, 3, 1), date(2026, 3, 2), today) == "逾期销号"
    assert wb.problem_status(date(2026, 4, 1), None, today) == "整改中"
    assert wb.problem_status(date(2026, 3, 31), None, today) == "已逾期"
    row = wb.problem_row("ZB1", "台账不全", date(2026, 1, 5), date(2026, 3, 1), None, today)
    assert row == ["ZB1", "台账不全", date(2026, 1, 5), date(2026, 3, 1), "已逾期", None]


def test_history_columns_are_the_years_with_a_level():
    spec = wb.history_spec([2023, 2025])
    assert spec.headers == ("支部编码", "支部名称", "2023年", "2025年")
    assert len(spec.widths) == len(spec.headers)
    assert wb.history_row(ZB1, {2025: 4}, [2023, 2025]) == ["ZB1", "刑事审判庭党支部", None, 4]


def test_every_sheet_spec_has_a_width_per_column():
    for spec in (wb.SUMMARY, wb.INDICATORS, wb.MEETINGS, wb.MEMBERS, wb.PROBLEMS):
        assert len(spec.widths) == len(spec.headers), spec.title
    assert wb.SHEET_TITLES == ("汇总", "指标明细", "三会一课", "党员评议", "问题整改", "星级历史")
