"""Importing the dues workbook (sheets 基数 and 交纳): read it, check all of it, then write all of it
or nothing. The checks are dues.workbook.validate (plain data); this module feeds it what the
database holds, in a fixed handful of queries whatever the size of the file, and writes through the
services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from branches.access import Scope
from core.spreadsheets import RowError, new_workbook, write_sheet
from core.uploads import UploadRefused, bounded_rows, open_workbook
from members.models import Member, Membership

from . import rules, selectors, services
from . import workbook as wb
from .access import managed_branches
from .models import DuesPayment
from .rules import Month


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    checked_only: bool = False
    bases: int = 0
    payments: int = 0
    already: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        """Stored on the job and read by everyone: Chinese, like every import's report."""
        text = f"计算基数{self.bases}条，交纳记录{self.payments}条"
        if self.already:
            text += f"（另有{self.already}条交纳记录系统中已有，未重复登记）"
        if self.checked_only:
            return f"检查通过，未写入任何数据。若导入将写入{text}"
        return f"已导入{text}"


def read_file(file, *, on_row=None) -> tuple[dict[str, list[wb.Row]], list[RowError]]:
    """The two sheets, parsed cell by cell. `file` is a path or a binary file object. A file may
    hold either sheet or both; it must hold one."""
    errors: list[RowError] = []
    try:
        book = open_workbook(file)
    except UploadRefused as exc:
        return {}, [RowError("", None, None, str(exc))]
    except Exception:  # openpyxl raises zip, XML and key errors for files it cannot read
        return {}, [RowError(wb.BASE_SHEET, None, None, "无法读取文件：它不是有效的Excel工作簿（.xlsx）")]
    sheets: dict[str, list[wb.Row]] = {}
    try:
        by_name = {name.strip(): name for name in book.sheetnames}
        present = [name for name in wb.IMPORT_SHEETS if name in by_name]
        if not present:
            return {}, [wb.missing_sheets_error(book.sheetnames)]
        for name in present:
            worksheet = book[by_name[name]]
            # Files from other tools may carry a wrong "used range"; read whatever rows there are.
            worksheet.reset_dimensions()
            rows = bounded_rows(worksheet.iter_rows(values_only=True), sheet=name, on_row=on_row)
            try:
                sheets[name] = wb.read_sheet(name, rows, errors)
            except UploadRefused as exc:
                return {}, [RowError("", None, None, str(exc))]
    finally:
        book.close()
    return sheets, errors


def _known_members(numbers: set[str], scope: Scope | None) -> dict[str, wb.KnownMember]:
    """The members the file names, as plain data. A secretary reaches only members who belong, or
    belonged, to a branch whose dues they keep; anyone else reads as unknown (no existence leaks)."""
    found = selectors.members_by_id_number(numbers)
    if scope is not None and not scope.is_committee and found:
        reachable = set(
            Member.objects.filter(pk__in=[m.pk for m in found.values()])
            .filter(
                Q(pk__in=Membership.objects.managed_by(scope).values("member_id"))
                | Q(pk__in=Member.objects.managed_by(scope).values("pk"))
            )
            .values_list("pk", flat=True)
        )
        found = {number: m for number, m in found.items() if m.pk in reachable}
    spans: dict[int, list[rules.Span]] = {}
    rows = Membership.objects.filter(member_id__in=[m.pk for m in found.values()]).order_by("start")
    for member_id, branch_id, start, end in rows.values_list("member_id", "branch_id", "start", "end"):
        spans.setdefault(member_id, []).append(rules.Span(branch_id, start, end))
    return {
        number: wb.KnownMember(m.pk, m.name, m.joined_on, m.branch_id, tuple(spans.get(m.pk, ())))
        for number, m in found.items()
    }


def _existing(payment_rows: list[wb.Row], known: dict[str, wb.KnownMember]):
    ids = {known[r.values[wb.ID]].pk for r in payment_rows if r.ok(wb.ID) and r.values[wb.ID] in known}
    months = {r.values[wb.MONTH].first for r in payment_rows if r.ok(wb.MONTH)}
    if not ids or not months:
        return set()
    rows = DuesPayment.objects.filter(member_id__in=ids, month__in=months).values_list(
        "member_id", "month", "amount", "paid_on"
    )
    return {(member_id, Month.of(month), amount, paid_on) for member_id, month, amount, paid_on in rows}


def dues_import(
    *,
    file,
    scope: Scope | None = None,
    by=None,
    today: date | None = None,
    check_only: bool = False,
    on_row=None,
) -> ImportResult:
    """Import `file`. `scope` (the user's dues scope) limits the rows to the branches whose dues the
    user keeps; None (the command line) allows every branch. Nothing is written unless every row of
    both sheets passes; then everything is written in one transaction."""
    today = today or timezone.localdate()
    result = ImportResult(checked_only=check_only)
    sheets, errors = read_file(file, on_row=on_row)
    if not sheets:
        result.errors = errors
        return result
    base_rows, payment_rows = sheets.get(wb.BASE_SHEET, []), sheets.get(wb.PAYMENT_SHEET, [])
    numbers = {r.values[wb.ID] for r in base_rows + payment_rows if r.ok(wb.ID)}
    known = _known_members(numbers, scope)
    managed = None
    if scope is not None and not scope.is_committee:
        managed = set(managed_branches(scope).values_list("pk", flat=True))
    checked = wb.validate(
        base_rows,
        payment_rows,
        known,
        today=today,
        first_year=services.first_year(),
        managed=managed,
        existing=_existing(payment_rows, known),
    )
    result.errors = sorted(set(errors + checked.errors), key=wb._error_order)
    if result.errors:
        return result
    if not checked.bases and not checked.payments and not checked.already:
        result.errors = [RowError(wb.BASE_SHEET, None, None, "文件中没有可导入的数据行")]
        return result
    members = Member.objects.in_bulk([b.member_pk for b in checked.bases])
    try:
        with transaction.atomic():
            services.bases_set(
                entries=[
                    services.BaseEntry(members[b.member_pk], b.year, b.from_month, b.category, b.base)
                    for b in checked.bases
                ],
                by=by,
                today=today,
            )
            services.payments_import(
                entries=[
                    services.PaymentEntry(p.member_pk, p.branch_id, p.month, p.amount, p.paid_on)
                    for p in checked.payments
                ],
                by=by,
                today=today,
            )
            if check_only:
                transaction.set_rollback(True)
    except ValidationError as exc:
        # A rule only the write could check (a year closed meanwhile): nothing is kept.
        result.errors = [RowError(wb.BASE_SHEET, None, None, "；".join(exc.messages))]
        return result
    result.bases, result.payments, result.already = len(checked.bases), len(checked.payments), checked.already
    return result


def template(out) -> None:
    """An empty workbook with both sheets' headers and a sheet of notes on every column."""
    book = new_workbook()
    for name in wb.IMPORT_SHEETS:
        headers = [column[0] for column in wb.COLUMNS[name]]
        write_sheet(book, name, headers, [], widths=[22, 10, 12, 12, 12, 12][: len(headers)])
    notes = [
        (sheet, header, "是" if required else "否", note)
        for sheet in wb.IMPORT_SHEETS
        for header, required, _blank, note in wb.COLUMNS[sheet]
    ]
    write_sheet(book, wb.NOTES_SHEET, ["工作表", "列", "必需", "说明"], notes, widths=[10, 12, 8, 70])
    book.save(out)
