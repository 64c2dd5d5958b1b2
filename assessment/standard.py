"""The five-star standard as data: DOMAIN.md's defaults and the checks an edited standard must pass.

Plain data only, so the checks run without a database; services.standard_save feeds them the form's
rows and refuses to save while any message comes back. The defaults (aspect and indicator names) are
data and stay Chinese; the checks' messages are form errors a committee member reads, so they are
translated.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.scoring import plain

TOTAL_POINTS = Decimal("100")
AUTO = "auto"
MANUAL = "manual"
QUARTERLY = "quarterly"
YEARLY = "yearly"


@dataclass(frozen=True)
class AspectSpec:
    code: str
    name: str
    points: Decimal


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    aspect: str
    name: str
    points: Decimal
    mode: str  # AUTO or MANUAL
    frequency: str  # QUARTERLY or YEARLY


def _ind(code, name, points, mode, frequency):
    return IndicatorSpec(
        code,
        code[0],
        name,
        Decimal(points),
        AUTO if mode == "a" else MANUAL,
        QUARTERLY if frequency == "q" else YEARLY,
    )


DEFAULT_PARAMETERS = {
    "band_five": Decimal("90"),
    "band_four": Decimal("80"),
    "band_three": Decimal("70"),
    "band_two": Decimal("60"),
    "quarter_weight": Decimal("40"),
    "annual_weight": Decimal("60"),
    "five_star_quota": Decimal("30"),
    "veto_aspect": "B",
    "lagging_deadline_days": 60,
}

DEFAULT_ASPECTS = (
    AspectSpec("A", "责任落实", Decimal("15")),
    AspectSpec("B", "制度执行", Decimal("30")),
    AspectSpec("C", "队伍教育", Decimal("20")),
    AspectSpec("D", "工作保障", Decimal("15")),
    AspectSpec("E", "作用发挥", Decimal("20")),
)

DEFAULT_INDICATORS = (
    _ind("A1", "书记述职评议", 3, "m", "y"),
    _ind("A2", "年度工作计划", 2, "m", "y"),
    _ind("A3", "一岗双责责任状", 2, "m", "y"),
    _ind("A4", "支委会研究部署党建", 3, "m", "q"),
    _ind("A5", "党务公开", 2, "m", "q"),
    _ind("A6", "党建业务同部署同考核", 3, "m", "y"),
    _ind("B1", "党员大会", 6, "a", "q"),
    _ind("B2", "支委会", 6, "a", "q"),
    _ind("B3", "党小组会", 5, "a", "q"),
    _ind("B4", "党课", 5, "a", "q"),
    _ind("B5", "主题党日", 4, "a", "q"),
    _ind("B6", "组织生活会与民主评议", 4, "a", "y"),
    _ind("C1", "三会一课出勤率", 5, "a", "q"),
    _ind("C2", "学习心得", 3, "a", "q"),
    _ind("C3", "谈心谈话全覆盖", 3, "a", "y"),
    _ind("C4", "党务干部培训", 3, "m", "y"),
    _ind("C5", "党员承诺全覆盖", 3, "a", "y"),
    _ind("C6", "按时交纳党费", 3, "m", "y"),
    _ind("D1", "兼职党务干部", 4, "a", "y"),
    _ind("D2", '活动室"八有"', 4, "m", "y"),
    _ind("D3", "按期换届", 3, "a", "y"),
    _ind("D4", "台账规范", 2, "m", "y"),
    _ind("D5", "经费保障", 2, "m", "y"),
    _ind("E1", "践诺率", 4, "a", "y"),
    _ind("E2", "志愿服务/结对共建≥2次", 4, "a", "y"),
    _ind("E3", "党员先锋岗", 3, "m", "y"),
    _ind("E4", "问题整改按期销号率", 4, "a", "q"),
    _ind("E5", "集体荣誉", 2, "m", "y"),
    _ind("E6", "群众满意", 3, "m", "y"),
)

# The indicators the software can compute, and for which period each formula is written: an auto
# indicator keeps its code's frequency (B6, C3, E2 … are defined over a year only).
AUTO_FREQUENCIES = {spec.code: spec.frequency for spec in DEFAULT_INDICATORS if spec.mode == AUTO}
# C6 按时交纳党费 can be computed from the dues ledger (dues app) but stays manual by default: a
# committee that does not keep its dues here yet would see every branch score 0. The committee marks
# it 自动 on the year's standard once the ledger is kept.
AUTO_FREQUENCIES["C6"] = YEARLY
MEETING_CODES = ("B1", "B2", "B3", "B4", "B5", "B6", "C1", "C3", "E2")
PLEDGE_CODES = ("C2", "C5", "E1")
OWN_CODES = ("D1", "D3", "E4")
DUES_CODES = ("C6",)


def standard_errors(parameters: dict, aspects: Iterable[AspectSpec], indicators: Iterable[IndicatorSpec]) -> list[str]:
    """Every reason the standard cannot be saved, in the reader's language; empty when it is sound."""
    aspects, indicators = list(aspects), list(indicators)
    errors = []
    bands = [parameters[k] for k in ("band_five", "band_four", "band_three", "band_two")]
    if not all(Decimal(0) < b <= TOTAL_POINTS for b in bands) or not (bands[0] > bands[1] > bands[2] > bands[3]):
        errors.append(_("星级分数线须满足 100 ≥ 五星 > 四星 > 三星 > 二星 > 0"))
    if parameters["quarter_weight"] < 0 or parameters["annual_weight"] < 0:
        errors.append(_("权重不能为负数"))
    if parameters["quarter_weight"] + parameters["annual_weight"] != 100:
        errors.append(
            _("季度检查权重与年度考评权重之和须为 100%%（现为 %(quarter)s%% + %(annual)s%%）")
            % {"quarter": plain(parameters["quarter_weight"]), "annual": plain(parameters["annual_weight"])}
        )
    if not 0 <= parameters["five_star_quota"] <= 100:
        errors.append(_("五星名额比例须在 0% 至 100% 之间"))
    if parameters["lagging_deadline_days"] < 1:
        errors.append(_("后进党支部整改期限至少 1 天"))

    aspect_codes = [a.code for a in aspects]
    for code in sorted({c for c in aspect_codes if aspect_codes.count(c) > 1}):
        errors.append(_("方面编码 %(code)s 重复") % {"code": code})
    if parameters["veto_aspect"] and parameters["veto_aspect"] not in aspect_codes:
        errors.append(_("一票否决方面 %(code)s 不在本年度标准的方面中") % {"code": parameters["veto_aspect"]})

    codes = [i.code for i in indicators]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        errors.append(_("指标编码 %(code)s 重复") % {"code": code})
    for ind in indicators:
        if ind.points <= 0:
            errors.append(_("指标 %(code)s 的分值须大于 0") % {"code": ind.code})
        if ind.aspect not in aspect_codes:
            errors.append(_("指标 %(code)s 所属方面 %(aspect)s 不存在") % {"code": ind.code, "aspect": ind.aspect})
        if ind.mode == AUTO:
            if ind.code not in AUTO_FREQUENCIES:
                errors.append(
                    _("指标 %(code)s 设为自动计分，但系统不能自动计算它（可自动计分的指标：%(codes)s）")
                    % {"code": ind.code, "codes": _("、").join(sorted(AUTO_FREQUENCIES))}
                )
            elif ind.frequency != AUTO_FREQUENCIES[ind.code]:
                if AUTO_FREQUENCIES[ind.code] == QUARTERLY:
                    errors.append(_("自动指标 %(code)s 只能按季度计分") % {"code": ind.code})
                else:
                    errors.append(_("自动指标 %(code)s 只能按年度计分") % {"code": ind.code})

    for aspect in aspects:
        total = sum((i.points for i in indicators if i.aspect == aspect.code), Decimal(0))
        if total != aspect.points:
            errors.append(
                _("方面 %(code)s「%(name)s」分值 %(points)s 分，其下指标合计 %(total)s 分，两者须相等")
                % {"code": aspect.code, "name": aspect.name, "points": plain(aspect.points), "total": plain(total)}
            )
    aspect_total = sum((a.points for a in aspects), Decimal(0))
    if aspect_total != TOTAL_POINTS:
        errors.append(_("各方面分值合计 %(total)s 分，须为 100 分") % {"total": plain(aspect_total)})
    if not any(i.frequency == QUARTERLY for i in indicators):
        errors.append(_("至少要有一项季度检查指标"))
    return errors
