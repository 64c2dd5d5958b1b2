"""Demo ratings: the star history before the app, last year rated from its records, this year in progress.

`seed_ratings(org)` takes the demo organisation (demo.org.DemoOrg: `today`, `committee`,
`branches` ZB01–ZB12) and builds, through the services:
- the approved levels of three and two years ago (历史星级, as if imported from before the app: the
  demo's meeting records begin on 1 January of last year);
- last year: the checkers' scores of the hand-scored indicators only, each with the note a checker
  would write; the auto indicators are computed by the quarterly and yearly jobs from the demo's
  meetings, talks, pledges and study notes, so a branch that met every quarter scores full on B1 and a
  branch that skipped months loses them (and with them the veto). Then the applications, the
  proposal and one adjustment by the committee (ZB08, lowered with its reason). Approving it opens
  the 公示 and is left to assessment/publication/demo.py;
- this year: the quarters begun so far computed, the manual scores of the quarters ended, a few problems.
The applications pin what does not depend on the records: 首次评定 (ZB03), 复星复牌 (ZB05: 4 → 2 →
3 or 4), 升星授牌 (ZB11), 保持 (ZB12), a lagging branch (ZB10), the interview list (ZB08, ZB12).
Whether a branch keeps full marks on B, hence the veto and five stars, is the records' to say.
Running it again changes nothing: an approved year is left alone, everything else is upserted.
"""

from datetime import date, timedelta
from decimal import Decimal

from assessment.models import BranchRating, Indicator, Problem, Score, YearRating
from assessment.services import checks, ratings
from assessment.services.standards import standard_ensure
from branches.models import UnitRole
from core.periods import QUARTERS, Period

# What a checker writes for each hand-scored indicator: full marks, and points lost.
NOTES = {
    "A1": ("书记在支部党员大会上述职，党员评议满意率98%", "述职报告对问题剖析不深，党员评议满意率85%"),
    "A2": ("年度党建工作计划经支委会研究，1月报机关党委备案", "年度工作计划3月才制定，内容与上年雷同"),
    "A3": ("书记与支委、支委与党员逐级签订一岗双责责任状", "部分支委未签订一岗双责责任状"),
    "A4": ("本季度支委会专题研究党建工作2次，有会议记录", "本季度支委会未专题研究党建工作"),
    "A5": ("党务公开栏本季度按时更新，内容完整", "党务公开栏本季度未更新"),
    "A6": ("党建工作与审判业务同部署、同考核，考核结果运用到位", "党建考核未与业务考核挂钩"),
    "C4": ("党务干部参加院机关党委培训，取得结业证书", "一名党务干部未参加年度培训"),
    "C6": ("党费按月足额交纳，收缴台账齐全", "两名党员党费补交，存在逾期"),
    "D2": ("党员活动室“八有”齐全", "活动室缺少党建书籍和电教设备"),
    "D4": ("台账分类规范、记录完整", "台账记录不完整，部分会议缺签到表"),
    "D5": ("党建工作经费列入年度预算并足额保障", "党建工作经费未单独列支"),
    "E3": ("设立党员先锋岗3个，事迹材料完整", "党员先锋岗作用发挥不明显，无事迹材料"),
    "E5": ("获院级以上集体荣誉", "年内未获集体荣誉"),
    "E6": ("群众满意度测评96分", "群众满意度测评82分"),
}

# Points lost on the hand-scored indicators (in every quarter for A4, A5), for each profile.
PROFILES = {
    "model": {},
    "good": {"A1": 1, "E5": 2},
    "fair": {"A1": 1, "A6": 1, "C4": 1, "D2": 1, "E3": 1, "E5": 2, "A5": 1},
    "weak": {"A1": 2, "A2": 1, "A3": 1, "A6": 2, "C4": 2, "D2": 2, "D4": 1, "D5": 1, "E3": 2, "E5": 2, "E6": 1},
    "poor": {
        **{"A1": 3, "A2": 2, "A3": 2, "A6": 3, "C4": 3, "C6": 2, "D2": 3, "D4": 2, "D5": 2, "E3": 3, "E5": 2},
        **{"E6": 2, "A4": 2, "A5": 1},
    },
}

# Levels approved before the app was used: three years ago and two years ago (ZB03 was not rated).
HISTORY = {
    3: {"ZB01": 4, "ZB02": 3, "ZB04": 3, "ZB05": 4, "ZB06": 3, "ZB07": 4, "ZB08": 3, "ZB09": 3, "ZB11": 2, "ZB12": 3},
    2: {"ZB01": 4, "ZB02": 3, "ZB04": 4, "ZB05": 2, "ZB06": 3, "ZB07": 5, "ZB08": 3, "ZB09": 4, "ZB10": 3,
        "ZB11": 2, "ZB12": 2},
}  # fmt: skip
# Last year: (profile of the hand-scored indicators, level applied for or None for a branch that did not apply).
LAST_YEAR = {
    "ZB01": ("model", 5),
    "ZB02": ("good", 4),
    "ZB03": ("fair", 3),  # 首次评定
    "ZB04": ("good", 4),
    "ZB05": ("good", 4),  # 复星复牌: 2 before, 4 before the demotion
    "ZB06": ("model", 5),
    "ZB07": ("good", 5),
    "ZB08": ("fair", 3),  # three stars, lowered to two by the committee: 降星摘牌, interview
    "ZB09": ("good", 5),
    "ZB10": ("weak", None),  # 后进党支部
    "ZB11": ("fair", 3),  # 升星授牌 2 → 3
    "ZB12": ("poor", 2),  # 保持 2, interview
}
OVERRIDE = ("ZB08", 2, "该支部一名党员年内受到党内警告处分，支部教育管理不到位，经机关党委会议研究，调整为二星")
# This year's manual q scores (A4, A5) per branch: points lost.
THIS_YEAR_LOST = {"ZB05": {"A4": 1}, "ZB10": {"A4": 3, "A5": 2}, "ZB12": {"A4": 2, "A5": 1}}


def seed_ratings(org) -> None:
    today = org.today
    checker = _checker(org)
    branches = {b.code: b for b in org.branches}
    year = today.year
    for back, levels in sorted(HISTORY.items(), reverse=True):
        if _rated(year - back):
            continue
        for code, level in levels.items():
            if code in branches:
                ratings.history_record(branch=branches[code], year=year - back, level=level, by=checker)
    _last_year(year - 1, branches, checker, today)
    _this_year(year, today, branches, checker)


def rated_on(year: int, today: date) -> date:
    """When the January job rated `year` (never in the future)."""
    return min(date(year + 1, 1, 15), today)


def _checker(org):
    role = UnitRole.objects.filter(unit=org.committee, role=UnitRole.Role.COMMITTEE_STAFF).select_related("user")
    first = role.order_by("pk").first()
    return first.user if first else None


def _rated(year: int) -> bool:
    return YearRating.objects.filter(year=year).exclude(status=YearRating.Status.PENDING).exists()


def _last_year(year: int, branches: dict, checker, today: date) -> None:
    if YearRating.objects.filter(year=year).exclude(status=YearRating.Status.PENDING).exists():
        return  # rated already (and perhaps approved): the committee's word stands
    standard_ensure(year=year)
    manual = Indicator.objects.filter(standard__year=year, mode=Indicator.Mode.MANUAL).select_related("standard")
    entries = []
    for code, (profile, applied) in LAST_YEAR.items():
        branch = branches.get(code)
        if branch is None:
            continue
        entries.extend(_entries(branch, manual, PROFILES[profile], QUARTERS, yearly=True))
        if applied is not None:
            ratings.application_submit(branch=branch, year=year, level=applied, by=checker)
    checks.scores_enter_bulk(entries=entries, by=checker)
    # A problem of the year, rectified on time.
    if "ZB07" in branches:
        _problem(branches["ZB07"], year, 2, "党课记录缺少授课提纲", date(year, 4, 10), 30, closed_after=20)
    ratings.year_propose(year=year, today=rated_on(year, today))
    code, level, reason = OVERRIDE
    if code in branches:
        line = BranchRating.objects.get(rating__year=year, branch=branches[code])
        if line.override_level is None and line.level is not None and level <= line.level:
            ratings.branch_rating_override(branch_rating=line, level=level, reason=reason, by=checker)


def _entries(branch, indicators, lost: dict, quarters, yearly: bool) -> list:
    """A checker's score and note for each hand-scored indicator (never for an auto one: those are computed)."""
    entries = []
    for ind in indicators:
        missing = Decimal(str(lost.get(ind.code, 0)))
        full, short = NOTES.get(ind.code, ("符合要求", "未完全达到要求"))
        value, note = ind.points - missing, short if missing else full
        if ind.is_quarterly:
            entries.extend((branch.pk, ind, q, value, note) for q in quarters)
        elif yearly:
            entries.append((branch.pk, ind, None, value, note))
    return entries


def _this_year(year: int, today: date, branches: dict, checker) -> None:
    if YearRating.objects.filter(year=year, status=YearRating.Status.APPROVED).exists():
        return
    standard_ensure(year=year)
    begun = [q for q in QUARTERS if Period.for_quarter(year, q).start <= today]
    ended = [q for q in begun if Period.for_quarter(year, q).end < today]
    manual = Indicator.objects.filter(standard__year=year, mode=Indicator.Mode.MANUAL).select_related("standard")
    manual = [i for i in manual if i.is_quarterly]
    scored = set(
        Score.objects.filter(indicator__standard__year=year, manual__isnull=False).values_list(
            "branch_id", "indicator_id", "quarter"
        )
    )
    entries = []
    for code, branch in branches.items():
        entries.extend(_entries(branch, manual, THIS_YEAR_LOST.get(code, {}), ended, yearly=False))
    # Only the quarters ended since the last run: a score already entered stays as it is.
    entries = [e for e in entries if (e[0], e[1].pk, e[2]) not in scored]
    if entries:
        checks.scores_enter_bulk(entries=entries, by=checker)
    # The problems first: E4 counts them, so a second run computes what the first did.
    if "ZB07" in branches:
        branch = branches["ZB07"]
        _problem(branch, year, begun[-1], "主题党日活动记录未上传照片和签到表", today - timedelta(days=10), 20)
        _problem(branch, year, begun[0], "支委会会议记录缺少表决情况", today - timedelta(days=60), 30)  # overdue
    if "ZB12" in branches:
        _problem(branches["ZB12"], year, begun[0], "党小组会连续两个月未召开", today - timedelta(days=40), 30)
    for quarter in begun:
        checks.quarter_compute(year=year, quarter=quarter, today=today)


def _problem(branch, year, quarter, description, found_on, days, closed_after=None) -> None:
    if Problem.objects.filter(branch=branch, year=year, description=description).exists():
        return
    problem = checks.problem_create(
        branch=branch,
        year=year,
        quarter=quarter,
        description=description,
        found_on=found_on,
        deadline=found_on + timedelta(days=days),
        by=None,
    )
    if closed_after is not None:
        checks.problem_close(problem=problem, by=None, note="整改到位", today=found_on + timedelta(days=closed_after))
