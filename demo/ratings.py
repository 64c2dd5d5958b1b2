"""Demo ratings: two rated and approved past years and the current year in progress.

`seed_ratings(org)` takes the demo organisation (demo.org.DemoOrg: `today`, `committee`,
`branches` ZB01–ZB12) and builds, through the services:
- the approved levels of three years ago (历史星级, as if imported from before the app);
- two years ago and last year: checkers' scores, applications, the proposal, approval — so that
  every action appears: 升星授牌, 降星摘牌, 复星复牌 (ZB05: 4 → 2 → 4), 保持, 首次评定, a lagging branch
  (ZB03 two years ago, ZB10 last year), the interview list (ZB11, ZB12), the veto (ZB09), the
  application cap (ZB04), the five-star quota (ZB08) and a committee override (ZB02);
- this year: the quarters begun so far computed, manual scores of the quarters ended, a few problems.
Running it again changes nothing: an approved year is left alone, everything else is upserted.
"""

from datetime import date, timedelta
from decimal import Decimal

from assessment.models import Indicator, Problem, YearRating
from assessment.services import checks, ratings
from assessment.services.standards import standard_ensure
from branches.models import UnitRole
from core.periods import QUARTERS, Period

NOTE = "演示：检查评分"

# Points lost per indicator (in every quarter for a q indicator), for each profile. With DOMAIN.md's
# default standard the scores come out as noted.
PROFILES = {
    "five": {},  # 100.00
    "five-": {"A1": 2},  # 98.80
    "five-low": {"A1": 1},  # 99.40
    "veto": {"A1": 3, "A2": 2, "A3": 2, "A6": 3, "B2": 1},  # 92.47, but B is not full: three stars at most
    "four": {"A1": 3, "A2": 2, "A3": 2, "A6": 3, "E3": 3, "A4": 3, "A5": 2},  # 84.55
    "three": {"C4": 3, "C6": 3, "D2": 4, "D4": 2, "D5": 2, "A4": 3, "A5": 2, "B1": 3},  # 79.36
    "two": {
        **{"A1": 3, "A2": 2, "A3": 2, "A6": 3, "C4": 3, "C6": 3, "D2": 4, "D4": 2, "D5": 2, "E3": 1},
        **{"A4": 3, "A5": 2, "B1": 6, "B4": 1},
    },  # 66.64
    "one": {
        **{"A1": 3, "A2": 2, "A3": 2, "A6": 3, "C4": 3, "C6": 3, "D2": 4, "D4": 2, "D5": 2, "E3": 3, "E5": 2, "E6": 1},
        **{"A4": 3, "A5": 2, "B1": 6, "B2": 3, "B4": 5, "B5": 1},
    },  # 51.40
}

# Levels of three years ago, approved before the app was used.
HISTORY = {
    "ZB01": 4, "ZB02": 3, "ZB04": 3, "ZB05": 4, "ZB06": 3, "ZB07": 4, "ZB08": 3, "ZB09": 3, "ZB11": 2, "ZB12": 3,
}  # fmt: skip
# (profile, applied level or None for a branch that did not apply) per branch.
TWO_YEARS_AGO = {
    "ZB01": ("four", 5),  # 保持 4
    "ZB02": ("three", 4),  # 保持 3
    "ZB03": ("three", None),  # 后进党支部
    "ZB04": ("four", 4),  # 升星 3 → 4
    "ZB05": ("two", 4),  # 降星 4 → 2
    "ZB06": ("three", 3),  # 保持
    "ZB07": ("five", 5),  # 升星 4 → 5
    "ZB08": ("three", 3),  # 保持
    "ZB09": ("four", 4),  # 升星 3 → 4
    "ZB10": ("three", 3),  # 首次评定
    "ZB11": ("two", 3),  # 保持 2, 约谈
    "ZB12": ("two", 3),  # 降星 3 → 2, 约谈
}
LAST_YEAR = {
    "ZB01": ("five-low", 5),  # 升星 4 → 5
    "ZB02": ("three", 4),  # 3, raised to 4 by the committee: 升星
    "ZB03": ("three", 3),  # 首次评定 (lagging the year before)
    "ZB04": ("five", 4),  # capped at the application: 保持 4
    "ZB05": ("four", 4),  # 复星复牌 2 → 4
    "ZB06": ("five-low", 5),  # 升星 3 → 5
    "ZB07": ("five", 5),  # 保持 5
    "ZB08": ("five-", 5),  # fourth five-star candidate for three places: 4, 升星 3 → 4
    "ZB09": ("veto", 5),  # vetoed to 3: 降星 4 → 3
    "ZB10": ("three", None),  # 后进党支部
    "ZB11": ("two", 3),  # 保持 2, 约谈
    "ZB12": ("one", 2),  # 降星 2 → 1, 约谈
}
OVERRIDE = ("ZB02", 4, "该支部获评全市法院系统先进基层党组织，经机关党委会议研究，调整为四星")
# This year's manual q scores (A4, A5) per branch: points lost.
THIS_YEAR_LOST = {"ZB05": {"A4": 1}, "ZB10": {"A4": 3, "A5": 2}, "ZB12": {"A4": 2, "A5": 1}}


def seed_ratings(org) -> None:
    today = org.today
    checker = _checker(org)
    branches = {b.code: b for b in org.branches}
    year = today.year
    for code, level in HISTORY.items():
        if code in branches and not _rated(year - 3):
            ratings.history_record(branch=branches[code], year=year - 3, level=level, by=checker)
    _past_year(year - 2, TWO_YEARS_AGO, branches, checker, today, override=None, rectified=True)
    _past_year(year - 1, LAST_YEAR, branches, checker, today, override=OVERRIDE, rectified=False)
    _this_year(year, today, branches, checker)


def _checker(org):
    role = UnitRole.objects.filter(unit=org.committee, role=UnitRole.Role.COMMITTEE_STAFF).select_related("user")
    first = role.order_by("pk").first()
    return first.user if first else None


def _rated(year: int) -> bool:
    return YearRating.objects.filter(year=year).exclude(status=YearRating.Status.PENDING).exists()


def _past_year(year: int, plan: dict, branches: dict, checker, today: date, override, rectified: bool) -> None:
    if YearRating.objects.filter(year=year, status=YearRating.Status.APPROVED).exists():
        return
    standard_ensure(year=year)
    indicators = list(Indicator.objects.filter(standard__year=year).select_related("standard"))
    entries = []
    for code, (profile, applied) in plan.items():
        branch = branches.get(code)
        if branch is None:
            continue
        entries.extend(_entries(branch, indicators, PROFILES[profile], QUARTERS, yearly=True))
        if applied is not None:
            ratings.application_submit(branch=branch, year=year, level=applied, by=checker)
    checks.scores_enter_bulk(entries=entries, by=checker)
    rated_on = min(date(year + 1, 1, 15), today)  # when the January job rated it (never in the future)
    # A problem of the year, rectified on time.
    if "ZB07" in branches:
        _problem(branches["ZB07"], year, 2, "党课记录缺少授课提纲", date(year, 4, 10), 30, closed_after=20)
    ratings.year_propose(year=year, today=rated_on)
    if override and override[0] in branches:
        line = YearRating.objects.get(year=year).branches.get(branch=branches[override[0]])
        ratings.branch_rating_override(branch_rating=line, level=override[1], reason=override[2], by=checker)
    ratings.year_approve(year=year, by=checker)
    if rectified:  # the lagging branch rectified within the deadline; last year's is still open
        for problem in Problem.objects.filter(year=year, kind=Problem.Kind.LAGGING, closed_on__isnull=True):
            closed_on = problem.found_on + timedelta(days=40)
            checks.problem_close(problem=problem, by=checker, note="已制定整改方案并落实", today=closed_on)


def _entries(branch, indicators, lost: dict, quarters, yearly: bool) -> list:
    entries = []
    for ind in indicators:
        value = ind.points - Decimal(str(lost.get(ind.code, 0)))
        if ind.is_quarterly:
            entries.extend((branch.pk, ind, q, value, NOTE) for q in quarters)
        elif yearly:
            entries.append((branch.pk, ind, None, value, NOTE))
    return entries


def _this_year(year: int, today: date, branches: dict, checker) -> None:
    if YearRating.objects.filter(year=year, status=YearRating.Status.APPROVED).exists():
        return
    standard_ensure(year=year)
    begun = [q for q in QUARTERS if Period.for_quarter(year, q).start <= today]
    ended = [q for q in begun if Period.for_quarter(year, q).end < today]
    manual = Indicator.objects.filter(standard__year=year, mode=Indicator.Mode.MANUAL).select_related("standard")
    manual = [i for i in manual if i.is_quarterly]
    entries = []
    for code, branch in branches.items():
        entries.extend(_entries(branch, manual, THIS_YEAR_LOST.get(code, {}), ended, yearly=False))
    if entries:
        checks.scores_enter_bulk(entries=entries, by=checker)
    for quarter in begun:
        checks.quarter_compute(year=year, quarter=quarter, today=today)
    if "ZB07" in branches:
        branch = branches["ZB07"]
        _problem(branch, year, begun[-1], "主题党日活动记录未上传照片和签到表", today - timedelta(days=10), 20)
        _problem(branch, year, begun[0], "支委会会议记录缺少表决情况", today - timedelta(days=60), 30)  # overdue
    if "ZB12" in branches:
        _problem(branches["ZB12"], year, begun[0], "党小组会连续两个月未召开", today - timedelta(days=40), 30)


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
