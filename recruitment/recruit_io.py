"""发展党员 workbooks: read past records in (sheet 发展党员), export the year's 纪实 (sheet 发展党员纪实).

The import is all or nothing: every row is checked against every rule of recruitment.rules first
(each problem named by sheet, row and column, in Chinese); only a file with no problem is written,
through the services, in one transaction. It is idempotent by ID number: a person already recorded
gets only the steps they did not have, and the roster hand-over happens once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from branches.access import Scope, scope_for
from branches.models import OrgUnit
from core.spreadsheets import CellError, RowError, is_blank, new_workbook, parse_date, parse_text, write_sheet
from core.uploads import UploadRefused, bounded_rows, open_workbook
from imports.jobs import Outcome, Progress
from imports.models import ImportJob
from members import idcard
from members import rules as member_rules
from members.models import Member

from . import lookups, rules, selectors, services
from .models import Recruit, RecruitStep

SHEET = "发展党员"
IMPORT_COLUMNS = [
    "支部编码",
    "姓名",
    "身份证号",
    "性别",
    "部门",
    "申请日期",
    "谈话日期",
    "积极分子日期",
    "发展对象日期",
    "政审日期",
    "培训结束日期",
    "支部大会日期",
    "应到表决权人数",
    "实到表决权人数",
    "赞成票",
    "审批日期",
    "入党介绍人",
    "转正大会日期",
    "转正审批日期",
]
REQUIRED_COLUMNS = ["支部编码", "姓名", "身份证号", "申请日期"]
DATE_COLUMNS = {
    "申请日期": rules.APPLICATION,
    "谈话日期": rules.TALK,
    "积极分子日期": rules.ACTIVIST,
    "发展对象日期": rules.CANDIDATE,
    "政审日期": rules.POLITICAL_REVIEW,
    "培训结束日期": rules.TRAINING,
    "支部大会日期": rules.BRANCH_MEETING,
    "审批日期": rules.APPROVAL,
    "转正大会日期": rules.FULL_MEETING,
    "转正审批日期": rules.FULL_APPROVAL,
}
INTRODUCERS_COLUMN = "入党介绍人"
COLUMN_OF_STEP = {number: column for column, number in DATE_COLUMNS.items()} | {rules.INTRODUCERS: INTRODUCERS_COLUMN}
VOTE_COLUMNS = {"expected": "应到表决权人数", "present": "实到表决权人数", "votes_for": "赞成票"}
# What a step needs recorded before it, in the file or already: the milestones of the stages.
REQUIRES = {
    rules.TALK: (rules.APPLICATION,),
    rules.ACTIVIST: (rules.APPLICATION,),
    rules.CANDIDATE: (rules.ACTIVIST,),
    rules.INTRODUCERS: (rules.CANDIDATE,),
    rules.POLITICAL_REVIEW: (rules.CANDIDATE,),
    rules.TRAINING: (rules.CANDIDATE,),
    rules.BRANCH_MEETING: (rules.CANDIDATE, rules.INTRODUCERS),
    rules.APPROVAL: (rules.BRANCH_MEETING,),
    rules.FULL_MEETING: (rules.APPROVAL,),
    rules.FULL_APPROVAL: (rules.FULL_MEETING,),
}
EXPORT_SHEET = "发展党员纪实"
EXPORT_COLUMNS = [
    "支部编码",
    "支部名称",
    "姓名",
    "阶段",
    "申请日期",
    "积极分子日期",
    "发展对象日期",
    "支部大会日期",
    "审批日期",
    "预备期满日期",
    "转正日期",
    "下一步",
    "应完成日期",
    "提醒",
]
EXPORT_WIDTHS = [10, 24, 10, 10, 12, 12, 12, 12, 12, 12, 12, 24, 12, 60]
TEMPLATE_WIDTHS = [10, 10, 21, 6, 14] + [12] * 7 + [8, 8, 8, 12, 30, 12, 12]

_NAME = re.compile(r"^(?P<name>[^()（）]+?)\s*(?:[(（]\s*(?P<id>[^()（）]*?)\s*[)）])?$")
_SEPARATORS = re.compile(r"[、,，]")


# --- Export ---------------------------------------------------------------------------------------


def export_rows(recruits, today: date):
    """One list of cells per person; `recruits` streamed with their steps and roster record."""
    for recruit in selectors.with_steps(recruits).iterator(chunk_size=500):
        dates = selectors.dates_of(recruit)
        ends = selectors.probation_ends(recruit, dates)
        standing = rules.progress(dates, today, probation_ends=ends)
        full_on = recruit.member.full_on if recruit.member and rules.FULL_APPROVAL in dates else None
        next_step = f"{standing.next_step} {rules.STEPS[standing.next_step].name}" if standing.next_step else ""
        yield [
            recruit.branch.code,
            recruit.branch.name,
            recruit.name,
            standing.status_label,
            rules.first_date(dates, rules.APPLICATION),
            rules.first_date(dates, rules.ACTIVIST),
            rules.first_date(dates, rules.CANDIDATE),
            rules.first_date(dates, rules.BRANCH_MEETING),
            rules.first_date(dates, rules.APPROVAL),
            ends,
            full_on,
            next_step,
            standing.next_due,
            "、".join(alert.message for alert in standing.late),
        ]


def write_recruits(recruits, out, *, today: date | None = None) -> int:
    """Stream the 纪实 of `recruits` into `out` (a path or a binary file). Returns the number of rows."""
    wb = new_workbook()
    count = write_sheet(
        wb,
        EXPORT_SHEET,
        EXPORT_COLUMNS,
        export_rows(recruits.order_by("branch__code", "name", "pk"), today or timezone.localdate()),
        widths=EXPORT_WIDTHS,
        print_title="发展党员纪实",
    )
    wb.save(out)
    return count


def template_workbook(out) -> None:
    """The import sheet with its 19 columns and two example rows (an activist, a probationary member)."""
    rows = [
        ["ZB01", "李思远", "430102200001011234", "男", "刑事审判庭", "2024-03-01", "2024-03-20", "2024-09-10"],
        [
            "ZB01",
            "陈雨涵",
            "430104199805052341",
            "女",
            "办公室",
            "2022-09-01",
            "2022-09-15",
            "2023-03-01",
            "2024-03-05",
            "2024-04-10",
            "2024-04-20",
            "2024-06-18",
            21,
            19,
            19,
            "2024-08-20",
            "王建国、张伟(110101199003074514)",
        ],
    ]
    wb = new_workbook()
    write_sheet(wb, SHEET, IMPORT_COLUMNS, rows, widths=TEMPLATE_WIDTHS)
    wb.save(out)


# --- Import ---------------------------------------------------------------------------------------


@dataclass
class RecruitRow:
    row: int
    branch: OrgUnit
    name: str
    id_number: str
    gender: str
    department: str
    dates: dict[int, date]
    voters: tuple[int | None, int | None, int | None] = (None, None, None)
    introducers: list[Member] = field(default_factory=list)
    existing: Recruit | None = None


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checked_only: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    members_created: int = 0
    members_full: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        text = (
            f"新增{self.created}人，补充{self.updated}人，未变{self.unchanged}人；"
            f"交接到党员名册的预备党员{self.members_created}人，转正{self.members_full}人"
        )
        if self.checked_only:
            return f"检查通过，未写入任何数据。若导入将会——{text}"
        return text


class _Check:
    """The problems of one file, and what its rows look up."""

    def __init__(self, scope: Scope | None, today: date):
        self.scope, self.today = scope, today
        self.errors: list[RowError] = []
        self.warnings: list[str] = []

    def error(self, row: int | None, column: str, message: str) -> None:
        self.errors.append(RowError(SHEET, row, column, message))


def read_recruits(file, *, scope: Scope | None = None, today: date | None = None, on_row=None):
    """Check a workbook. Returns (rows, errors, warnings); the rows are usable only without errors.

    With `scope` (the browser upload) every branch must be one the user manages, and introducers are
    looked up among the members the user may see; without it (the command) anywhere.
    """
    check = _Check(scope, today or timezone.localdate())
    try:
        wb = open_workbook(file)
    except UploadRefused as exc:
        return [], [RowError("", None, None, str(exc))], []
    except Exception:  # openpyxl raises zip, XML and key errors for files it cannot read
        return [], [RowError(SHEET, None, "", "无法读取文件：请上传 Excel 工作簿（.xlsx）")], []
    try:
        if SHEET not in [name.strip() for name in wb.sheetnames]:
            found = "、".join(wb.sheetnames)
            return [], [RowError(SHEET, None, "", f"找不到名为“{SHEET}”的工作表（现有：{found}）")], []
        ws = wb[next(name for name in wb.sheetnames if name.strip() == SHEET)]
        ws.reset_dimensions()
        rows = _read_sheet(ws, check, on_row)
    except UploadRefused as exc:
        return [], [RowError("", None, None, str(exc))], []
    finally:
        wb.close()
    return (rows if not check.errors else []), check.errors, check.warnings


def _read_sheet(ws, check: _Check, on_row=None) -> list[RecruitRow]:
    sheet_rows = bounded_rows(ws.iter_rows(values_only=True), sheet=SHEET, on_row=on_row)
    header = next(sheet_rows, None)
    if header is None:
        check.error(1, "", "工作表是空的")
        return []
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        title = parse_text(title)
        if title in columns:
            check.error(1, title, "列名重复")
        elif title in IMPORT_COLUMNS:
            columns[title] = index
        elif title:
            check.warnings.append(f"工作表“{SHEET}”中的“{title}”列无法识别，已忽略")
    missing = [c for c in IMPORT_COLUMNS if c not in columns]
    if missing:
        check.error(1, "", f"缺少以下列：{'、'.join(missing)}（第一行应为列名）")
        return []

    raw = []
    for number, values in enumerate(sheet_rows, start=2):
        cells = {title: (values[i] if i < len(values) else None) for title, i in columns.items()}
        if all(is_blank(v) for v in cells.values()):
            continue
        raw.append((number, cells))
    if not raw:
        check.error(None, "", "工作表中没有人员记录")
        return []

    codes = {parse_text(cells["支部编码"]) for _, cells in raw}
    units = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=codes)}
    numbers = [idcard.normalise(parse_text(cells["身份证号"])) for _, cells in raw]
    recruits = lookups.recruits_by_id_number(numbers)
    members = lookups.members_by_id_number(numbers)
    stored = _stored_steps(recruits.values())
    sponsors = _SponsorBook(check.scope)
    seen: dict[str, int] = {}
    result = []
    for number, cells in raw:
        row = _read_row(check, number, cells, units, recruits, members, stored, sponsors, seen)
        if row is not None:
            result.append(row)
    return result


def _stored_steps(recruits) -> dict[int, dict]:
    """Per recruit id: number → (dates, introducer ids) of what is already recorded."""
    stored: dict[int, dict] = {recruit.pk: {} for recruit in recruits}
    steps = RecruitStep.objects.filter(recruit_id__in=list(stored)).prefetch_related("people")
    for step in steps:
        dates, people = stored[step.recruit_id].setdefault(step.number, ([], set()))
        dates.append(step.done_on)
        people.update(person.pk for person in step.people.all())
    return stored


class _SponsorBook:
    """Roster members an introducer cell may name: those the importer may see."""

    def __init__(self, scope: Scope | None):
        self.scope = scope
        self._by_name: dict[str, list[Member]] | None = None

    def _members(self):
        return Member.objects.all() if self.scope is None else Member.objects.visible_to(self.scope)

    def _load(self):
        if self._by_name is None:
            self._by_name = {}
            for member in self._members().select_related("branch"):
                self._by_name.setdefault(member.name, []).append(member)

    def find(self, name: str, id_number: str | None) -> tuple[Member | None, str | None]:
        self._load()
        if id_number is not None:
            number = idcard.normalise(id_number)
            member = lookups.members_by_id_number([number]).get(number)
            if member is not None and not self._members().filter(pk=member.pk).exists():
                member = None
            if member is None:
                return None, f"身份证号为 {idcard.mask(number)} 的党员不在党员名册中（或不在您的管理范围内）"
            if member.name != name:
                return None, f"身份证号 {idcard.mask(number)} 对应的党员是“{member.name}”，不是“{name}”"
            return member, None
        found = self._by_name.get(name, [])
        if not found:
            return None, f"“{name}”不在党员名册中（或不在您的管理范围内）"
        if len(found) > 1:
            return None, f"党员名册中有{len(found)}名党员叫“{name}”，请写成 {name}(身份证号) 以区分"
        return found[0], None


def _read_int(check: _Check, number: int, column: str, value) -> int | None:
    if is_blank(value):
        return None
    text = parse_text(value)
    if not (text.isascii() and text.isdigit()):  # isdigit() alone takes ², which int() refuses
        check.error(number, column, f"“{text}”不是人数，应为不小于0的整数")
        return None
    return int(text)


def _read_row(check: _Check, number, cells, units, recruits, members, stored, sponsors, seen) -> RecruitRow | None:
    errors_before = len(check.errors)

    code = parse_text(cells["支部编码"])
    branch = units.get(code)
    if not code:
        check.error(number, "支部编码", "不能为空")
    elif branch is None or (check.scope is not None and not check.scope.can_manage(branch)):
        check.error(number, "支部编码", f"编码“{code}”的党支部不存在，或不在您的管理范围内")
        branch = None
    elif branch.kind != OrgUnit.Kind.BRANCH:
        check.error(number, "支部编码", f"“{branch.name}”不是党支部")
        branch = None

    name = parse_text(cells["姓名"])
    if not name:
        check.error(number, "姓名", "不能为空")
    id_number = idcard.normalise(parse_text(cells["身份证号"]))
    born = None
    if not id_number:
        check.error(number, "身份证号", "不能为空")
    elif id_errors := idcard.id_number_errors(id_number):
        for message in id_errors:
            check.error(number, "身份证号", message)
    elif id_number in seen:
        check.error(number, "身份证号", f"与第{seen[id_number]}行重复")
    else:
        seen[id_number] = number
        born = idcard.birth_date_of(id_number)
    gender = parse_text(cells["性别"])
    if gender and gender not in ("男", "女"):
        check.error(number, "性别", f"“{gender}”应为 男 或 女")
    elif gender and born is not None and gender != idcard.gender_of(id_number):
        check.error(number, "性别", f"身份证号显示为{idcard.gender_of(id_number)}性，与“{gender}”不符")
    department = parse_text(cells["部门"])
    if len(department) > 50:
        check.error(number, "部门", "不能超过50个字")

    dates: dict[int, date] = {}
    for column, step in DATE_COLUMNS.items():
        try:
            day = parse_date(cells[column])
        except CellError as exc:
            check.error(number, column, str(exc))
            continue
        if day is not None:
            dates[step] = day
    if rules.APPLICATION not in dates and not any(e.column == "申请日期" for e in check.errors[errors_before:]):
        check.error(number, "申请日期", "不能为空")
    voters = tuple(_read_int(check, number, column, cells[column]) for column in VOTE_COLUMNS.values())
    introducer_text = parse_text(cells[INTRODUCERS_COLUMN])

    existing = recruits.get(id_number) if born is not None else None
    before: dict[int, list] = {}
    known_people: set[int] = set()
    if existing is not None:
        if branch is not None and existing.branch_id != branch.pk:
            check.error(number, "支部编码", f"{existing.name}已在“{existing.branch.name}”登记，不能改到其他支部")
        if name and existing.name != name:
            check.error(number, "姓名", f"身份证号对应的人员已登记为“{existing.name}”")
        for step, (days, people) in stored[existing.pk].items():
            before[step] = list(days)
            if step == rules.INTRODUCERS:
                known_people = people
        for step, day in dates.items():
            if step in before and before[step] and before[step][0] is not None and before[step][0] != day:
                check.error(
                    number,
                    COLUMN_OF_STEP[step],
                    f"与已登记的{before[step][0]:%Y-%m-%d}不一致；更正请在该人员的纪实页面修改",
                )
    elif born is not None and id_number in members and rules.APPROVAL not in dates:
        check.error(number, "身份证号", "此人已在党员名册中；若是补录其发展过程，请填写审批日期")

    introducers: list[Member] = []
    if introducer_text:
        introducers = _read_introducers(check, number, introducer_text, sponsors)
        dates_for_need = set(dates) | set(before)
        if rules.CANDIDATE not in dates_for_need:
            check.error(number, INTRODUCERS_COLUMN, "确定为发展对象后才能确定入党介绍人，请填写发展对象日期")
        if known_people and introducers and {m.pk for m in introducers} != known_people:
            check.error(number, INTRODUCERS_COLUMN, "与已登记的入党介绍人不一致；更正请在该人员的纪实页面修改")
    has = set(dates) | set(before) | ({rules.INTRODUCERS} if introducer_text else set())
    for step in sorted(dates):
        for needed in REQUIRES.get(step, ()):
            if needed not in has:
                column = COLUMN_OF_STEP[step]
                check.error(number, column, f"已填写{column}，还需填写{COLUMN_OF_STEP[needed]}")
    if any(v is not None for v in voters) and rules.BRANCH_MEETING not in dates:
        check.error(number, VOTE_COLUMNS["expected"], "填写了表决人数，还需填写支部大会日期")

    if len(check.errors) > errors_before or branch is None or born is None:
        return None

    _check_rules(check, number, name, born, dates, before, voters, introducers, existing)
    if len(check.errors) > errors_before:
        return None
    return RecruitRow(number, branch, name, id_number, gender, department, dates, voters, introducers, existing)


def _read_introducers(check: _Check, number: int, text: str, sponsors: _SponsorBook) -> list[Member]:
    found: list[Member] = []
    for token in (t.strip() for t in _SEPARATORS.split(text)):
        if not token:
            continue
        match = _NAME.match(token)
        if not match:
            check.error(number, INTRODUCERS_COLUMN, f"无法识别“{token}”，请写姓名，同名时写成 姓名(身份证号)")
            continue
        member, message = sponsors.find(match["name"].strip(), match["id"])
        if message:
            check.error(number, INTRODUCERS_COLUMN, message)
        elif member is not None:
            found.append(member)
    return found


def _check_rules(check, number, name, born, dates, before, voters, introducers, existing) -> None:
    """Every rule of every step in the row, in order, against what is recorded and what comes before."""
    known: dict[int, list] = {step: list(days) for step, days in before.items()}
    member = existing.member if existing is not None else None
    for step in sorted(dates):
        day = dates[step]
        if step in known and day in known[step]:
            continue  # recorded already, as the file says
        meeting = dates.get(rules.BRANCH_MEETING) or rules.first_date(known, rules.BRANCH_MEETING)
        ends = None
        if step == rules.FULL_MEETING and meeting is not None:
            ends = rules.probation_end(
                member.joined_on if member and member.joined_on else meeting,
                member.probation_extended_until if member else None,
            )
        result = rules.check_step_date(
            step, day, known, birth_date=born, probation_ends=ends, today=check.today, allow_gaps=True
        )
        for message in result.errors.get("done_on", []):
            check.error(number, COLUMN_OF_STEP[step], message)
        for message in result.warnings:
            check.warnings.append(f"工作表“{SHEET}”第{number}行“{COLUMN_OF_STEP[step]}”列：{message}（已导入，仅提醒）")
        known.setdefault(step, []).append(day)
    if rules.BRANCH_MEETING in dates and rules.BRANCH_MEETING not in before:
        for key, message in rules.vote_errors(*voters).items():
            check.error(number, VOTE_COLUMNS[key], message)
    if introducers:
        day = dates.get(rules.BRANCH_MEETING) or dates.get(rules.CANDIDATE) or check.today
        sponsors = [
            rules.Sponsor(m.name, member_rules.is_full_on(day, m.joined_on, m.full_on, m.is_full), m.pk)
            for m in introducers
        ]
        for message in rules.sponsor_errors("入党介绍人", sponsors):
            check.error(number, INTRODUCERS_COLUMN, message)


class _WriteFailed(Exception):
    def __init__(self, error: RowError):
        super().__init__(str(error))
        self.error = error


def recruit_import(
    *,
    file,
    scope: Scope | None = None,
    by=None,
    today: date | None = None,
    check_only: bool = False,
    on_row=None,
    on_stage=None,
    on_written=None,
) -> ImportResult:
    """Import the workbook `file`: all of it, or nothing when any row has a problem."""
    today = today or timezone.localdate()
    rows, errors, warnings = read_recruits(file, scope=scope, today=today, on_row=on_row)
    result = ImportResult(errors=errors, warnings=warnings, checked_only=check_only)
    if errors:
        return result
    if on_stage is not None:
        on_stage("写入数据")
    try:
        with transaction.atomic():
            for count, row in enumerate(rows, start=1):
                _write_row(result, row, by=by, today=today)
                if on_written is not None and (count % 100 == 0 or count == len(rows)):
                    on_written(count, len(rows))
            if check_only:
                transaction.set_rollback(True)
    except _WriteFailed as exc:
        # A rule only the database could check (someone recorded the same person meanwhile).
        result.errors = [exc.error]
    return result


def _write_row(result: ImportResult, row: RecruitRow, *, by, today: date) -> None:
    column = "申请日期"
    try:
        recruit = row.existing
        if recruit is None:
            recruit = services.recruit_create(
                branch=row.branch,
                name=row.name,
                id_number=row.id_number,
                gender=row.gender,
                department=row.department,
                applied_on=row.dates[rules.APPLICATION],
                by=by,
                today=today,
                source=RecruitStep.Source.IMPORT,
                allow_member=True,
            )
            result.created += 1
        had_member = recruit.member_id is not None
        was_full = recruit.member is not None and recruit.member.is_full
        recorded = services.step_dates(recruit)
        steps = dict(row.dates)
        if row.introducers and rules.INTRODUCERS not in recorded:
            steps[rules.INTRODUCERS] = None
        changed = False
        for number in sorted(steps):
            if number in recorded:
                continue
            column = COLUMN_OF_STEP[number]
            expected, present, votes_for = row.voters if number == rules.BRANCH_MEETING else (None, None, None)
            services.recruit_step_record(
                recruit=recruit,
                number=number,
                done_on=steps[number],
                people=row.introducers if number == rules.INTRODUCERS else None,
                voters_expected=expected,
                voters_present=present,
                votes_for=votes_for,
                note="文件导入",
                by=by,
                today=today,
                source=RecruitStep.Source.IMPORT,
                allow_gaps=True,
            )
            changed = True
        recruit.refresh_from_db()
        if row.existing is not None:
            if changed:
                result.updated += 1
            else:
                result.unchanged += 1
        if recruit.member_id is not None and not had_member:
            result.members_created += 1
        if recruit.member is not None and recruit.member.is_full and not was_full:
            result.members_full += 1
    except ValidationError as exc:
        raise _WriteFailed(RowError(SHEET, row.row, column, "；".join(exc.messages))) from exc


def recruit_job(job: ImportJob, file, progress: Progress) -> Outcome:
    """The import of an import job (imports.jobs): as the user who uploaded it, in their scope."""
    user = job.requested_by
    scope = scope_for(user)
    result = recruit_import(
        file=file,
        scope=None if scope.is_committee else scope,
        by=user,
        check_only=job.check_only,
        on_row=progress.rows,
        on_stage=progress.stage,
        on_written=progress.written,
    )
    return Outcome(result.errors, result.warnings, result.summary)
