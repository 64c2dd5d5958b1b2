"""台账 spreadsheets: export a ledger, and read old ledgers in (sheet 会议).

Import is all or nothing: `read_ledger` validates every row and returns either rows ready for
services.meetings_import or the complete list of problems (sheet, row, column, reason) in Chinese.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone

from branches.access import Scope, scope_for
from branches.models import OrgUnit
from core.spreadsheets import CellError, RowError, new_workbook, parse_datetime, write_sheet
from core.uploads import UploadRefused, bounded_rows, open_workbook
from imports.jobs import Outcome, Progress
from imports.models import ImportJob
from members import idcard

from . import compliance
from .models import Meeting
from .selectors import Expected, can_log, expected_attendees
from .services import MeetingImport, meetings_import

SHEET = "会议"
IMPORT_COLUMNS = [
    "单位编码",
    "类型",
    "日期",
    "地点",
    "主持人",
    "记录人",
    "授课人",
    "主题",
    "会议记录",
    "请假人员",
    "缺席人员",
]
REQUIRED_COLUMNS = ["单位编码", "类型", "日期", "主题"]
FIELD_OF_COLUMN = {
    "地点": "place",
    "主持人": "host",
    "记录人": "recorder",
    "授课人": "lecturer",
    "主题": "topic",
    "会议记录": "minutes",
}
EXPORT_COLUMNS = [*IMPORT_COLUMNS, "单位名称", "应到", "实到", "请假", "缺席", "决议事项", "状态", "登记时间", "标记"]
EXPORT_WIDTHS = [12, 14, 17, 14, 10, 10, 10, 30, 60, 20, 20, 24, 6, 6, 6, 6, 30, 8, 17, 24]

KIND_BY_LABEL = {label: kind for kind, label in compliance.KIND_LABELS.items()}
KIND_BY_LABEL.update(
    {
        "党员大会": compliance.GENERAL_MEETING,
        "支部委员会会议": compliance.COMMITTEE_MEETING,
        "支委会": compliance.COMMITTEE_MEETING,
        "民主评议党员": compliance.APPRAISAL_MEETING,
        "民主评议": compliance.APPRAISAL_MEETING,
        "志愿服务": compliance.VOLUNTEER,
        "结对共建": compliance.VOLUNTEER,
    }
)

# Export ------------------------------------------------------------------------------------------


def _names(attendance, status) -> str:
    return "、".join(a.member.name for a in attendance if a.status == status)


def ledger_rows(meetings: Iterable[Meeting]):
    """One list of cell values per meeting; `meetings` must prefetch `absences` (attendance not present)."""
    for m in meetings:
        local = timezone.localtime(m.held_at).replace(tzinfo=None)
        held = local.date() if local.time() == dt.time(0, 0) else local
        flags = [
            label
            for on, label in (
                (m.is_backfilled, "补录"),
                (m.below_quorum, "未达法定人数"),
                (m.similar_to_id is not None, "疑似雷同"),
            )
            if on
        ]
        yield [
            m.unit.code,
            m.get_kind_display(),
            held,
            m.place,
            m.host,
            m.recorder,
            m.lecturer,
            m.topic,
            m.minutes,
            _names(m.absences, compliance.LEAVE),
            _names(m.absences, compliance.ABSENT),
            m.unit.name,
            m.expected_count,
            m.present_count,
            m.leave_count,
            m.absent_count,
            m.resolutions,
            m.get_status_display(),
            timezone.localtime(m.logged_at).replace(tzinfo=None, second=0, microsecond=0),
            "、".join(flags),
        ]


# Columns whose text wraps on paper (topic, minutes, who was on leave or absent, unit, resolutions, flags).
WRAP_COLUMNS = tuple(
    EXPORT_COLUMNS.index(name) for name in ("主题", "会议记录", "请假人员", "缺席人员", "单位名称", "决议事项", "标记")
)


def write_ledger(meetings: Iterable[Meeting], out, *, title: str = "三会一课台账") -> None:
    """Stream the ledger into `out` (a path or a binary file) with openpyxl's write-only mode.

    `title` (the unit and the period) heads every printed page, above the repeated column headers."""
    wb = new_workbook()
    write_sheet(
        wb, SHEET, EXPORT_COLUMNS, ledger_rows(meetings), widths=EXPORT_WIDTHS, print_title=title, wrap=WRAP_COLUMNS
    )
    wb.save(out)


def template_workbook(out, *, unit: OrgUnit | None = None, today: dt.date | None = None) -> None:
    """An import sheet with the headers, a drop-down of the kinds under 类型, and one example row.

    With `unit` (one the downloader may log for) the example is a meeting that unit could have held
    yesterday, so the template imports as it is; without, a placeholder code.
    """
    today = today or timezone.localdate()
    is_group = unit is not None and unit.kind == OrgUnit.Kind.GROUP
    kind = compliance.GROUP_MEETING if is_group else compliance.THEME_DAY
    example = [
        unit.code if unit is not None else "ZB01",
        compliance.KIND_LABELS[kind],
        f"{today - dt.timedelta(days=1):%Y-%m-%d} 15:00",
        "三楼党员活动室",
        "王建国",
        "李明",
        "",
        "示例：学习党的二十届三中全会精神",
        "会议由王建国主持……（请假、缺席的同志写姓名，用顿号分隔；同名的写“姓名(身份证号)”）",
        "",
        "",
    ]
    from openpyxl.utils import get_column_letter  # openpyxl loads when a workbook is made (core.spreadsheets)
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = new_workbook()
    write_sheet(wb, SHEET, IMPORT_COLUMNS, [example], widths=EXPORT_WIDTHS[: len(IMPORT_COLUMNS)])
    kinds = DataValidation(
        type="list",
        formula1='"' + ",".join(compliance.KIND_LABELS.values()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="类型",
        error="请从下拉列表中选择会议类型",
    )
    column = get_column_letter(IMPORT_COLUMNS.index("类型") + 1)
    kinds.add(f"{column}2:{column}2000")
    wb.worksheets[-1].data_validations.append(kinds)
    wb.save(out)


# Import ------------------------------------------------------------------------------------------


_NAME = re.compile(r"^(?P<name>[^()（）]+?)\s*(?:[(（]\s*(?P<id>[^()（）]*?)\s*[)）])?$")
_SEPARATORS = re.compile(r"[、,，]")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _Rows:
    """Errors of one file, and lookups shared between its rows."""

    def __init__(self, scope: Scope | None, today: dt.date):
        self.scope, self.today = scope, today
        self.errors: list[RowError] = []
        self.expected_cache: dict[tuple, list[Expected]] = {}

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(SHEET, row, column, message))

    def expected(self, unit: OrgUnit, kind: str, day: dt.date) -> list[Expected]:
        key = (unit.pk, kind == compliance.COMMITTEE_MEETING, day)
        if key not in self.expected_cache:
            self.expected_cache[key] = expected_attendees(unit, kind, day)
        return self.expected_cache[key]


def _resolve_names(ctx: _Rows, row: int, column: str, text: str, expected: list[Expected], where: str):
    """Member ids named in a 请假人员 / 缺席人员 cell; errors for names that do not resolve."""
    ids = []
    for token in (t.strip() for t in _SEPARATORS.split(text)):
        if not token:
            continue
        match = _NAME.match(token)
        if not match:
            ctx.error(row, column, f"无法识别“{token}”，请写姓名，同名时写成 姓名(身份证号)")
            continue
        name, id_number = match["name"].strip(), match["id"]
        if id_number is not None:
            id_number = idcard.normalise(id_number)
            found = [e for e in expected if e.member.id_number == id_number]
            if not found:
                ctx.error(row, column, f"身份证号为 {idcard.mask(id_number)} 的党员不在{where}")
                continue
            if found[0].member.name != name:
                ctx.error(
                    row, column, f"身份证号 {idcard.mask(id_number)} 对应的党员是“{found[0].member.name}”，不是“{name}”"
                )
                continue
        else:
            found = [e for e in expected if e.member.name == name]
            if not found:
                ctx.error(row, column, f"“{name}”不在{where}")
                continue
            if len(found) > 1:
                ctx.error(row, column, f"{where}有{len(found)}名党员叫“{name}”，请写成 {name}(身份证号) 以区分")
                continue
        if found[0].member.pk in ids:
            ctx.error(row, column, f"“{name}”重复填写")
            continue
        ids.append(found[0].member.pk)
    return ids


def read_ledger(file, *, scope: Scope | None = None, today: dt.date | None = None, on_row=None):
    """Validate a ledger workbook. Returns (rows, errors); rows are only usable when errors is empty.

    With `scope`, every unit must be one the user may log for (the browser upload); without, any unit
    (the management command, run by an operator).
    """
    today = today or timezone.localdate()
    ctx = _Rows(scope, today)
    try:
        wb = open_workbook(file)
    except UploadRefused as exc:
        return [], [RowError("", None, None, str(exc))]
    except Exception:  # openpyxl raises many kinds of error on a file that is not a workbook
        return [], [RowError(SHEET, None, "", "无法读取文件：请上传 Excel 工作簿（.xlsx）")]
    try:
        if SHEET not in wb.sheetnames:
            return [], [RowError(SHEET, None, "", f"找不到名为“{SHEET}”的工作表（现有：{'、'.join(wb.sheetnames)}）")]
        rows = _read_sheet(wb[SHEET], ctx, on_row)
    except UploadRefused as exc:
        return [], [RowError("", None, None, str(exc))]
    finally:
        wb.close()
    return (rows if not ctx.errors else []), ctx.errors


def _read_sheet(ws, ctx: _Rows, on_row=None) -> list[MeetingImport]:
    sheet_rows = bounded_rows(ws.iter_rows(values_only=True), sheet=SHEET, on_row=on_row)
    header = next(sheet_rows, None)
    if header is None:
        ctx.error(1, "", "工作表是空的")
        return []
    columns = {}
    for index, title in enumerate(header):
        title = _cell_text(title)
        if title in columns:
            ctx.error(1, title, "列名重复")
        elif title:
            columns[title] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        ctx.error(1, "", f"缺少必需的列：{'、'.join(missing)}（第一行应为列名）")
        return []

    raw = []
    for number, values in enumerate(sheet_rows, start=2):
        cells = {title: (values[i] if i < len(values) else None) for title, i in columns.items()}
        if all(_cell_text(v) == "" for v in cells.values()):
            continue
        raw.append((number, cells))
    if not raw:
        ctx.error(None, "", "工作表中没有会议记录")
        return []

    codes = {_cell_text(cells.get("单位编码")) for _, cells in raw}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    existing = set(Meeting.objects.filter(unit__in=units.values()).values_list("unit_id", "kind", "held_on", "topic"))
    seen: dict[tuple, int] = {}
    result = []
    for number, cells in raw:
        parsed = _read_row(ctx, number, cells, units)
        if parsed is None:
            continue
        key = (parsed.unit.pk, parsed.kind, timezone.localtime(parsed.held_at).date(), parsed.fields["topic"])
        if key in existing:
            ctx.error(number, "主题", "系统中已有同一单位、同一天、同类型、同主题的记录，请勿重复导入")
        elif key in seen:
            ctx.error(number, "主题", f"与第{seen[key]}行重复")
        else:
            seen[key] = number
            result.append(parsed)
    return result


def _read_row(ctx: _Rows, number: int, cells: dict, units: dict) -> MeetingImport | None:
    errors_before = len(ctx.errors)
    code = _cell_text(cells.get("单位编码"))
    unit = units.get(code)
    if not code:
        ctx.error(number, "单位编码", "不能为空")
    elif unit is None or (ctx.scope is not None and not can_log(ctx.scope, unit)):
        ctx.error(number, "单位编码", f"编码“{code}”的党支部或党小组不存在，或不在您的管理范围内")
        unit = None
    elif unit.kind not in (OrgUnit.Kind.BRANCH, OrgUnit.Kind.GROUP):
        ctx.error(number, "单位编码", f"“{unit.name}”不是党支部或党小组")
        unit = None

    label = _cell_text(cells.get("类型"))
    kind = KIND_BY_LABEL.get(label)
    if not label:
        ctx.error(number, "类型", "不能为空")
    elif kind is None:
        ctx.error(number, "类型", f"无法识别“{label}”，应为：{'、'.join(compliance.KIND_LABELS.values())}")
    elif unit is not None:
        if kind in compliance.GROUP_KINDS and unit.kind != OrgUnit.Kind.GROUP:
            ctx.error(number, "类型", f"{label}由党小组召开，但“{unit.name}”不是党小组")
        elif kind not in compliance.GROUP_KINDS and unit.kind != OrgUnit.Kind.BRANCH:
            ctx.error(number, "类型", f"{label}由党支部召开，但“{unit.name}”是党小组")

    try:
        when = parse_datetime(cells.get("日期"))
    except CellError as error:
        when = None
        ctx.error(number, "日期", f"{error}（可带时间，如 2024-03-05 15:00）")
    else:
        if when is None:
            ctx.error(number, "日期", "不能为空")
    if when is not None and when.date() > ctx.today:
        ctx.error(number, "日期", f"{when:%Y-%m-%d}晚于今天，不能导入尚未召开的会议")
        when = None

    fields = {}
    for column, name in FIELD_OF_COLUMN.items():
        text = _cell_text(cells.get(column))
        limit = Meeting._meta.get_field(name).max_length
        if limit and len(text) > limit:
            ctx.error(number, column, f"不能超过{limit}字（现有{len(text)}字）")
        fields[name] = text
    if not fields["topic"]:
        ctx.error(number, "主题", "不能为空")
    if kind == compliance.PARTY_LESSON and not fields["lecturer"]:
        ctx.error(number, "授课人", "党课须填写授课人")

    marks: dict[int, tuple[str, str]] = {}
    expected = None
    if unit is not None and kind is not None and when is not None and len(ctx.errors) == errors_before:
        expected = ctx.expected(unit, kind, when.date())
        who = "支部委员" if kind == compliance.COMMITTEE_MEETING else "党员"
        where = f"{unit.name}{when:%Y-%m-%d}的{who}中"
        on_leave = _resolve_names(ctx, number, "请假人员", _cell_text(cells.get("请假人员")), expected, where)
        absent = _resolve_names(ctx, number, "缺席人员", _cell_text(cells.get("缺席人员")), expected, where)
        for member_id in set(on_leave) & set(absent):
            name = next(e.member.name for e in expected if e.member.pk == member_id)
            ctx.error(number, "缺席人员", f"“{name}”同时出现在请假人员和缺席人员中")
        marks.update({pk: (compliance.LEAVE, "") for pk in on_leave})
        marks.update({pk: (compliance.ABSENT, "") for pk in absent})
        if not expected:
            ctx.error(
                number,
                "单位编码",
                f"{unit.name}在{when:%Y-%m-%d}没有应到人员" + ("（未登记支委职务）" if who == "支部委员" else ""),
            )

    if len(ctx.errors) != errors_before:
        return None
    held_at = timezone.make_aware(when)
    return MeetingImport(
        row=number, unit=unit, kind=kind, held_at=held_at, fields=fields, marks=marks, expected=expected
    )


def ledger_job(job: ImportJob, file, progress: Progress) -> Outcome:
    """The ledger import of an import job (imports.jobs): checked in the uploader's scope, then
    written all or nothing (services.meetings_import is one transaction)."""
    user = job.requested_by
    rows, errors = read_ledger(file, scope=scope_for(user), on_row=progress.rows)
    if errors:
        return Outcome(errors=errors)
    if job.check_only:
        return Outcome(summary=f"检查通过，未写入任何数据。可导入 {len(rows)} 条会议记录")
    progress.stage("写入数据")
    try:
        created = meetings_import(rows=rows, by=user, on_written=progress.written)
    except ValidationError as exc:  # a rule only the write could check: nothing is kept
        return Outcome(errors=[RowError("", None, None, "；".join(exc.messages))])
    backfilled = sum(meeting.is_backfilled for meeting in created)
    return Outcome(summary=f"已导入 {len(created)} 条会议记录（其中补录 {backfilled} 条）")
