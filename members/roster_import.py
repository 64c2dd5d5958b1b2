"""Importing the roster workbook: read it, check all of it, then write all of it or nothing.

The checks are in members/roster_io.py (plain functions); this module feeds them what the database
holds — in a fixed handful of queries, whatever the size of the file — and writes through the
services, so every rule of branches.services and members.services holds for imported rows too.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches import services as unit_services
from branches.access import Scope, scope_for
from branches.models import OrgUnit
from core.uploads import UploadRefused, bounded_rows, open_workbook
from imports.jobs import Outcome, Progress
from imports.models import ImportJob

from . import roster_io as io
from . import selectors
from . import services as member_services
from .models import Member, Membership

UNIT_FIELDS = ("name", "kind", "founded_on", "elected_on", "departments")
TRANSFER_NOTE = "名册导入"


@dataclass
class ImportResult:
    errors: list[io.RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checked_only: bool = False
    units_created: int = 0
    units_updated: int = 0
    units_unchanged: int = 0
    members_created: int = 0
    members_updated: int = 0
    members_transferred: int = 0
    members_unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        text = _(
            "组织：新增%(units_created)s个，更新%(units_updated)s个，未变%(units_unchanged)s个；"
            "党员：新增%(members_created)s人，更新%(members_updated)s人，"
            "转接%(members_transferred)s人，未变%(members_unchanged)s人"
        ) % {
            "units_created": self.units_created,
            "units_updated": self.units_updated,
            "units_unchanged": self.units_unchanged,
            "members_created": self.members_created,
            "members_updated": self.members_updated,
            "members_transferred": self.members_transferred,
            "members_unchanged": self.members_unchanged,
        }
        if self.checked_only:
            return _("检查通过，未写入任何数据。若导入将会——%(summary)s") % {"summary": text}
        return text


class _WriteFailed(Exception):
    def __init__(self, error: io.RowError):
        super().__init__(str(error))
        self.error = error


def read_workbook(file, *, on_row=None) -> tuple[dict[str, io.ParsedSheet], list[io.RowError], list[str]]:
    """Both sheets of the workbook, parsed cell by cell. `file` is a path or a binary file object.

    A file over the limits of core.uploads is refused before it is parsed (one error, no sheets)."""
    errors: list[io.RowError] = []
    warnings: list[str] = []
    try:
        workbook = open_workbook(file)
    except UploadRefused as exc:
        return {}, [io.RowError("", None, None, str(exc))], warnings
    except Exception:  # openpyxl raises zip, XML and key errors for files it cannot read
        return {}, [io.RowError("", None, None, "无法读取文件：它不是有效的Excel工作簿（.xlsx）")], warnings
    sheets = {}
    try:
        by_name = {name.strip(): name for name in workbook.sheetnames}
        for name in (io.UNIT_SHEET, io.MEMBER_SHEET):
            if name not in by_name:
                errors.append(io.missing_sheet_error(name))
                sheets[name] = io.ParsedSheet(name, readable=False)
                continue
            worksheet = workbook[by_name[name]]
            # Files from other tools may carry a wrong "used range"; read whatever rows there are.
            worksheet.reset_dimensions()
            rows = bounded_rows(worksheet.iter_rows(values_only=True), sheet=name, on_row=on_row)
            try:
                sheet = io.read_sheet(name, rows, errors)
            except UploadRefused as exc:
                return {}, [io.RowError("", None, None, str(exc))], warnings
            sheets[name] = sheet
            if sheet.ignored_headers:
                warnings.append(f"工作表“{name}”中以下列未识别，已忽略：{'、'.join(sheet.ignored_headers)}")
    finally:
        workbook.close()
    return sheets, errors, warnings


def _known_units() -> dict[str, io.KnownUnit]:
    rows = list(OrgUnit.objects.order_by().values_list("code", "kind", "path"))
    code_at = {path: code for code, _, path in rows}
    step = OrgUnit.steplen
    return {code: io.KnownUnit(code, kind, code_at.get(path[:-step])) for code, kind, path in rows}


def _known_members(numbers) -> dict[str, io.KnownMember]:
    """Every member, keyed by ID number for those the file names and by a stand-in for the others.

    The checks need every member's place (a unit may not be left with members it cannot take) but
    only the file's members by number, so only those are looked up (through the keyed hash) and no
    other number is decrypted. A stand-in (`#<id>`) is never a valid number, so no row matches it.
    """
    number_of = {member.pk: number for number, member in selectors.members_by_id_numbers(numbers).items()}
    since = dict(Membership.objects.filter(end__isnull=True).order_by().values_list("member_id", "start"))
    rows = Member.objects.order_by().values_list("pk", "branch__code", "group__code")
    known = {}
    for pk, branch, group in rows:
        key = number_of.get(pk, f"#{pk}")
        known[key] = io.KnownMember(key, branch, group, since.get(pk))
    return known


def _managed_codes(scope: Scope | None) -> set[str] | None:
    if scope is None or scope.is_committee:
        return None
    paths = tuple(scope.manager_paths)
    if not paths:
        return set()
    return set(OrgUnit.objects.filter(scope.unit_q(paths=list(paths))).order_by().values_list("code", flat=True))


def roster_import(
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
    """Import the workbook `file`. `scope` limits a secretary to their subtree (None: everything).

    Nothing is written unless every row of both sheets passes; then everything is written in one
    transaction. A member whose branch changes is transferred on `today`, so history is kept.
    """
    today = today or timezone.localdate()
    sheets, errors, warnings = read_workbook(file, on_row=on_row)
    result = ImportResult(warnings=warnings, checked_only=check_only)
    if not sheets:
        result.errors = errors
        return result
    units_sheet, members_sheet = sheets[io.UNIT_SHEET], sheets[io.MEMBER_SHEET]
    numbers = [row.get("id_number") for row in members_sheet.rows if row.get("id_number")]
    known_units, known_members = _known_units(), _known_members(numbers)
    row_errors, tree = io.validate_roster(
        units_sheet.rows,
        members_sheet.rows,
        known_units,
        known_members,
        today=today,
        managed=_managed_codes(scope),
        units_readable=units_sheet.readable,
    )
    result.errors = sorted(set(errors + row_errors), key=io.error_sort_key)
    if result.errors:
        return result
    if on_stage is not None:
        on_stage("写入数据")
    try:
        with transaction.atomic():
            _write(result, tree, members_sheet.rows, known_units, by=by, today=today, on_written=on_written)
            if check_only:
                transaction.set_rollback(True)
    except _WriteFailed as exc:
        # A rule only the database could check; the transaction is rolled back, nothing is kept.
        result.errors = [exc.error]
    return result


def _failure(sheet: str, row: int, exc: ValidationError) -> _WriteFailed:
    return _WriteFailed(io.RowError(sheet, row, None, "；".join(exc.messages)))


def _write(result: ImportResult, tree: io.Tree, member_rows, known_units, *, by, today, on_written=None) -> None:
    """Write the checked rows; `on_written(n, total)` hears how many members are written so far."""
    units = {unit.code: unit for unit in OrgUnit.objects.all()}
    moved = False
    for code in io.unit_write_order(tree):
        row = tree.rows[code]
        fields = {name: row.values[name] for name in UNIT_FIELDS if name in row.values}
        parent_code = tree.parent[code]
        parent = units[parent_code] if parent_code else None
        if moved and parent is not None:
            parent.refresh_from_db()  # a move earlier in this import rewrote the paths below it
        unit = units.get(code)
        try:
            if unit is None:
                units[code] = unit_services.unit_create(parent=parent, code=code, **fields)
                result.units_created += 1
                continue
            changed = {name: value for name, value in fields.items() if getattr(unit, name) != value}
            reparented = known_units[code].parent_code != parent_code
            if not changed and not reparented:
                result.units_unchanged += 1
                continue
            units[code] = unit_services.unit_update(unit=unit, parent=parent, **changed)
        except ValidationError as exc:
            raise _failure(io.UNIT_SHEET, row.row, exc) from exc
        result.units_updated += 1
        moved = moved or reparented

    if result.units_created or result.units_updated:
        units = {unit.code: unit for unit in OrgUnit.objects.all()}
    # The tree is now as the file says; tell treebeard each group's parent so checking a member's
    # group does not cost a query per row.
    for code, unit in units.items():
        parent_code = tree.parent.get(code)
        if unit.kind == OrgUnit.Kind.GROUP and parent_code in units:
            unit._cached_parent_obj = units[parent_code]
    units_by_id = {unit.pk: unit for unit in units.values()}

    existing = selectors.members_by_id_numbers(row.values["id_number"] for row in member_rows)
    for count, row in enumerate(member_rows, start=1):
        try:
            _write_member(result, row, units, units_by_id, existing, by=by, today=today)
        except ValidationError as exc:
            raise _failure(io.MEMBER_SHEET, row.row, exc) from exc
        if on_written is not None and (count % 100 == 0 or count == len(member_rows)):
            on_written(count, len(member_rows))


def _write_member(result, row, units, units_by_id, existing, *, by, today) -> None:
    values = dict(row.values)
    branch = units[values.pop("branch_code")]
    has_group = "group_code" in values
    group_code = values.pop("group_code", "")
    group = units[group_code] if group_code else None
    member = existing.get(values["id_number"])
    if member is None:
        member_services.member_create(since=None, branch=branch, group=group, **values)
        result.members_created += 1
        return
    member.branch = units_by_id[member.branch_id]
    member.group = units_by_id.get(member.group_id)
    transferred = False
    if member.branch_id != branch.pk:
        member_services.member_transfer(
            member=member, to_branch=branch, group=group, on=today, note=TRANSFER_NOTE, by=by
        )
        result.members_transferred += 1
        transferred = True
    changed = {name: value for name, value in values.items() if getattr(member, name) != value}
    if has_group and not transferred and member.group_id != (group.pk if group else None):
        changed["group"] = group
    if changed:
        member_services.member_update(member=member, **changed)
        result.members_updated += 1
    elif not transferred:
        result.members_unchanged += 1


def roster_job(job: ImportJob, file, progress: Progress) -> Outcome:
    """The roster import of an import job (imports.jobs): as the user who uploaded it, in their scope."""
    user = job.requested_by
    result = roster_import(
        file=file,
        scope=scope_for(user),
        by=user,
        check_only=job.check_only,
        on_row=progress.rows,
        on_stage=progress.stage,
        on_written=progress.written,
    )
    return Outcome(result.errors, result.warnings, result.summary)
