"""The score workbook (评分导入模板): the template checkers download, fill in and upload (or import_scores).

Sheets: 申报 (支部编码, 年度, 申报星级), 评分 (支部编码, 年度, 季度, 指标编码, 得分, 说明) and 历史星级
(支部编码, 年度, 星级). Any sheet may be absent; other sheets are ignored. The whole file is checked
first and every bad row is reported (sheet, row, column); nothing is written unless all of it is good.

The error report is Chinese in any language, like the sheet and column names it points at (and like
the roster and ledger imports); so is the summary of a good import in the browser, which is stored on
its import job (imports.jobs) for everyone to read.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from branches.models import OrgUnit
from core.spreadsheets import RowError, new_workbook, parse_text, write_sheet
from core.uploads import UploadRefused, bounded_rows, open_workbook
from imports.jobs import Outcome, Progress
from imports.models import ImportJob

from .models import YEAR_QUARTER, Application, Indicator, StarHistory, YearRating
from .services.checks import score_errors, scores_enter_bulk
from .services.standards import standard_ensure

APPLY_SHEET, SCORE_SHEET, HISTORY_SHEET = "申报", "评分", "历史星级"
HEADERS = {
    APPLY_SHEET: ["支部编码", "年度", "申报星级"],
    SCORE_SHEET: ["支部编码", "年度", "季度", "指标编码", "得分", "说明"],
    HISTORY_SHEET: ["支部编码", "年度", "星级"],
}
SCORE_FIELD_COLUMNS = {"quarter": "季度", "value": "得分", "note": "说明"}
MIN_YEAR, MAX_YEAR = 2000, 2100


class ImportFailed(Exception):
    """Every problem of the file, each with its sheet, row and column (RowError; str() reads it out)."""

    def __init__(self, errors: list[RowError]):
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


@dataclass
class ImportResult:
    applications: int = 0
    scores: int = 0
    history: int = 0

    @property
    def summary(self) -> str:
        return _("导入申报 %(applications)s 条、评分 %(scores)s 条、历史星级 %(history)s 条") % {
            "applications": self.applications,
            "scores": self.scores,
            "history": self.history,
        }


@dataclass
class _Parsed:
    applications: dict = field(default_factory=dict)  # (branch_id, year) -> level
    scores: dict = field(default_factory=dict)  # (branch_id, indicator, quarter) -> (Decimal, note)
    history: dict = field(default_factory=dict)  # (branch_id, year) -> level


class _Reader:
    """Reads the sheets and collects every error with its sheet, row and column."""

    def __init__(self, workbook, on_row=None):
        self.workbook = workbook
        self.on_row = on_row
        self.errors: list[RowError] = []
        self.parsed = _Parsed()
        self.branches = {u.code: u for u in OrgUnit.objects.all()}
        self.closed_years = set(
            YearRating.objects.filter(status=YearRating.Status.APPROVED).values_list("year", flat=True)
        )
        self.rated_years = set(
            YearRating.objects.exclude(status=YearRating.Status.PENDING).values_list("year", flat=True)
        )
        self.indicators: dict[int, dict[str, Indicator]] = {}

    def error(self, sheet, row, column, message):
        self.errors.append(RowError(sheet, row, column or None, message))

    def rows(self, sheet: str) -> Iterable[tuple[int, dict]]:
        if sheet not in self.workbook.sheetnames:
            return
        lines = bounded_rows(self.workbook[sheet].iter_rows(values_only=True), sheet=sheet, on_row=self.on_row)
        header = [parse_text(v) for v in next(lines, ())]
        missing = [h for h in HEADERS[sheet] if h not in header]
        if missing:
            self.error(sheet, 1, "", f"缺少列“{'”“'.join(missing)}”（表头须为：{'、'.join(HEADERS[sheet])}）")
            return
        index = {h: header.index(h) for h in HEADERS[sheet]}
        for number, values in enumerate(lines, start=2):
            cells = {h: (values[i] if i < len(values) else None) for h, i in index.items()}
            if all(parse_text(v) == "" for v in cells.values()):
                continue
            yield number, cells

    def branch(self, sheet, row, value):
        code = parse_text(value)
        unit = self.branches.get(code)
        if not code:
            self.error(sheet, row, "支部编码", "不能为空")
        elif unit is None:
            self.error(sheet, row, "支部编码", f"找不到编码为“{code}”的党组织")
        elif unit.kind != OrgUnit.Kind.BRANCH:
            self.error(sheet, row, "支部编码", f"“{code}”是{unit.get_kind_display()}，不是党支部")
        else:
            return unit
        return None

    def integer(self, sheet, row, column, value, low, high, blank_ok=False):
        text = parse_text(value)
        if text == "":
            if not blank_ok:
                self.error(sheet, row, column, "不能为空")
            return None
        try:
            number = int(text)
        except ValueError:
            self.error(sheet, row, column, f"“{text}”不是整数")
            return None
        if not low <= number <= high:
            self.error(sheet, row, column, f"须在 {low}–{high} 之间，不能是 {number}")
            return None
        return number

    def year(self, sheet, row, value):
        return self.integer(sheet, row, "年度", value, MIN_YEAR, MAX_YEAR)

    def indicators_of(self, year: int) -> dict[str, Indicator]:
        if year not in self.indicators:
            standard = standard_ensure(year=year)
            self.indicators[year] = {i.code: i for i in standard.indicators.select_related("standard")}
        return self.indicators[year]

    def read_applications(self):
        for row, cells in self.rows(APPLY_SHEET):
            unit = self.branch(APPLY_SHEET, row, cells["支部编码"])
            year = self.year(APPLY_SHEET, row, cells["年度"])
            level = self.integer(APPLY_SHEET, row, "申报星级", cells["申报星级"], 1, 5)
            if year in self.closed_years:
                self.error(APPLY_SHEET, row, "年度", f"{year}年度星级评定已审批，不能再申报")
            elif unit and year and level:
                key = (unit.pk, year)
                if key in self.parsed.applications:
                    self.error(APPLY_SHEET, row, "支部编码", f"{unit.code} 的{year}年度申报重复出现")
                self.parsed.applications[key] = level

    def read_scores(self):
        for row, cells in self.rows(SCORE_SHEET):
            unit = self.branch(SCORE_SHEET, row, cells["支部编码"])
            year = self.year(SCORE_SHEET, row, cells["年度"])
            quarter = self.integer(SCORE_SHEET, row, "季度", cells["季度"], 1, 4, blank_ok=True)
            code = parse_text(cells["指标编码"]).upper()
            note = parse_text(cells["说明"])
            value = parse_text(cells["得分"])
            if value == "" and note == "":
                continue  # a template row left unfilled
            if year is None:
                continue
            if year in self.closed_years:
                self.error(SCORE_SHEET, row, "年度", f"{year}年度星级评定已审批，不能再修改评分")
                continue
            indicator = self.indicators_of(year).get(code)
            if indicator is None:
                message = f"{year}年度评定标准中没有指标“{code}”" if code else "不能为空"
                self.error(SCORE_SHEET, row, "指标编码", message)
                continue
            if parse_text(cells["季度"]) != "" and quarter is None:
                continue  # the quarter's own error is reported
            if value == "":
                self.error(SCORE_SHEET, row, "得分", "不能为空")
                continue
            problems = score_errors(indicator=indicator, quarter=quarter, value=value, note=note)
            for name, message in problems.items():
                self.error(SCORE_SHEET, row, SCORE_FIELD_COLUMNS[name], message)
            if problems or unit is None:
                continue
            key = (unit.pk, indicator, quarter or YEAR_QUARTER)
            if key in self.parsed.scores:
                self.error(SCORE_SHEET, row, "指标编码", f"{unit.code} 的 {code} 在同一季度重复出现")
            self.parsed.scores[key] = (Decimal(value), note)

    def read_history(self):
        for row, cells in self.rows(HISTORY_SHEET):
            unit = self.branch(HISTORY_SHEET, row, cells["支部编码"])
            year = self.year(HISTORY_SHEET, row, cells["年度"])
            level = self.integer(HISTORY_SHEET, row, "星级", cells["星级"], 1, 5)
            if year in self.rated_years:
                self.error(HISTORY_SHEET, row, "年度", f"{year}年度已在本系统评定，历史星级以审批结果为准")
            elif unit and year and level:
                key = (unit.pk, year)
                if key in self.parsed.history:
                    self.error(HISTORY_SHEET, row, "支部编码", f"{unit.code} 的{year}年度星级重复出现")
                self.parsed.history[key] = level


def import_scores(source, *, by, on_row=None) -> ImportResult:
    """Import a score workbook (a path or a file object). Raises ImportFailed listing every bad row.

    A file over the limits of core.uploads is refused before it is parsed."""
    try:
        workbook = open_workbook(source)
    except UploadRefused as exc:
        raise ImportFailed([RowError("", None, None, str(exc))]) from exc
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFailed([RowError("", None, None, "无法读取文件：请上传 .xlsx 格式的评分导入模板")]) from exc
    try:
        # score_errors and the kind labels speak the reader's language; the report stays Chinese.
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            reader = _Reader(workbook, on_row)
            if not any(name in workbook.sheetnames for name in HEADERS):
                raise ImportFailed([RowError("", None, None, f"文件中没有“{'”“'.join(HEADERS)}”中的任何一个工作表")])
            try:
                reader.read_applications()
                reader.read_scores()
                reader.read_history()
            except UploadRefused as exc:
                raise ImportFailed([RowError("", None, None, str(exc))]) from exc
            if reader.errors:
                # Standards created while reading the file are rolled back with everything else.
                raise ImportFailed(reader.errors)
            return _write(reader.parsed, by)
    finally:
        workbook.close()


def _write(parsed: _Parsed, by) -> ImportResult:
    Application.objects.bulk_create(
        [Application(branch_id=b, year=y, level=level, applied_by=by) for (b, y), level in parsed.applications.items()],
        update_conflicts=True,
        unique_fields=["branch", "year"],
        update_fields=["level", "applied_by", "applied_at"],
        batch_size=1000,
    )
    scores_enter_bulk(
        entries=[(b, indicator, q, value, note) for (b, indicator, q), (value, note) in parsed.scores.items()], by=by
    )
    StarHistory.objects.bulk_create(
        [
            StarHistory(branch_id=b, year=y, level=level, source=StarHistory.Source.IMPORTED, recorded_by=by)
            for (b, y), level in parsed.history.items()
        ],
        update_conflicts=True,
        unique_fields=["branch", "year"],
        update_fields=["level", "source", "recorded_by", "recorded_at"],
        batch_size=1000,
    )
    return ImportResult(len(parsed.applications), len(parsed.scores), len(parsed.history))


def scores_job(job: ImportJob, file, progress: Progress) -> Outcome:
    """The score import of an import job (imports.jobs), recorded as by the user who uploaded it."""
    try:
        result = import_scores(file, by=job.requested_by, on_row=progress.rows)
    except ImportFailed as exc:
        return Outcome(errors=exc.errors)
    return Outcome(summary=result.summary)


# --- the template --------------------------------------------------------------------------------

INSTRUCTIONS = (
    "“申报”：支部编码、年度、申报星级（1–5）。",
    "“评分”：季度指标填季度（1–4），年度指标季度留空；得分在 0 与指标分值之间，最多 2 位小数。",
    "“评分”：自动计分指标（见“指标”表）填写得分即覆盖自动计算结果，须在“说明”中写明理由。",
    "“评分”：得分和说明都留空的行不导入。",
    "“历史星级”：启用本系统之前各年度已核定的星级（1–5），用于判断升星、降星、复星。",
    "不需要的工作表可以删除；文件中有任何错误时不会导入任何内容。",
)


def _chinese_labels(indicator: Indicator) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        return indicator.get_mode_display(), indicator.get_frequency_display()


def template_workbook(*, year: int, quarter: int | None = None, branches: Iterable[OrgUnit] = ()) -> bytes:
    """The template, with a 评分 row for each branch and manual indicator of the period, 得分 left blank."""
    standard = standard_ensure(year=year)
    indicators = list(standard.indicators.order_by("position"))
    # The manual indicators of the period: quarterly ones for a quarter, yearly ones for the year.
    wanted = [i for i in indicators if not i.is_auto and i.is_quarterly == (quarter is not None)]
    wb = new_workbook()
    write_sheet(wb, APPLY_SHEET, HEADERS[APPLY_SHEET], [], widths=[14, 8, 10])
    write_sheet(
        wb,
        SCORE_SHEET,
        HEADERS[SCORE_SHEET],
        ([unit.code, year, quarter, ind.code, None, None] for unit in branches for ind in wanted),
        widths=[14, 8, 8, 10, 8, 40],
    )
    write_sheet(wb, HISTORY_SHEET, HEADERS[HISTORY_SHEET], [], widths=[14, 8, 8])
    write_sheet(
        wb,
        "指标",
        ["指标编码", "名称", "分值", "计分方式", "计分周期"],
        # The workbook is Chinese in any language: its choice labels too.
        ([i.code, i.name, i.points, *_chinese_labels(i)] for i in indicators),
        widths=[10, 30, 8, 10, 10],
    )
    write_sheet(wb, "填写说明", ["填写说明"], ([line] for line in INSTRUCTIONS), widths=[100])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
