"""Writing the dues workbook of a year: sheet 党费台账 (one row per member and branch) and sheet 汇总
(one row per branch), streamed with openpyxl's write-only mode, a chunk of branches at a time, so a
province's year never sits in memory whole."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

from django.utils import timezone

from branches.models import OrgUnit
from core.spreadsheets import new_workbook, write_sheet
from members.models import Member

from . import rules, selectors
from . import workbook as wb
from .rules import Month

CHUNK = 200  # branches read at a time: about 5,000 members


def branches_under(unit: OrgUnit | None) -> list[tuple[int, str, str]]:
    """(id, code, name) of the branches the export covers, in code order."""
    qs = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH)
    if unit is not None:
        qs = qs.filter(path__startswith=unit.path)
    return list(qs.order_by("code").values_list("pk", "code", "name"))


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ledger_rows(
    year: int, branches: list[tuple[int, str, str]], today: date, summaries: dict[int, selectors.BranchSummary]
) -> Iterator[list]:
    """Rows of 党费台账, chunk by chunk; each chunk's summaries are kept for 汇总 (one small row per
    branch), so the year is read once for both sheets."""
    for chunk in _chunks(branches):
        ids = [pk for pk, _code, _name in chunk]
        ledgers = selectors.year_ledgers(ids, year, today)
        remitted = selectors.remitted_totals(ids, year)
        member_ids = {row.member_id for rows in ledgers.rows.values() for row in rows}
        names = dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "name"))
        for pk, code, name in chunk:
            summaries[pk] = selectors.summary_of(pk, ledgers, remitted.get(pk, Decimal(0)))
            rows = sorted(ledgers.rows.get(pk, []), key=lambda r: (names[r.member_id], r.member_id))
            for row in rows:
                history = ledgers.histories[row.member_id]
                advance = _advance(history, ledgers.ref, year) if ledgers.ref_branch.get(row.member_id) == pk else {}
                base = rules.current_base(history.bases, row.months)
                yield wb.ledger_row(code, name, names[row.member_id], row, base, wb.month_cells(row, year, advance))


def _advance(history: rules.History, ref: Month | None, year: int) -> dict[Month, Decimal]:
    """Money paid in advance for the months of the year after `ref`."""
    if ref is None:
        return {}
    out = {}
    for month, payments in history.payments.items():
        if month.year == year and month > ref:
            out[month] = sum((p.amount for p in payments), Decimal(0))
    return out


def _summary_rows(branches, summaries) -> Iterator[list]:
    for pk, code, name in branches:
        yield wb.summary_row(code, name, summaries.get(pk) or selectors.BranchSummary(pk))


def workbook_write(
    *,
    year: int,
    out,
    unit: OrgUnit | None = None,
    today: date | None = None,
    on_rows: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Write the year's dues workbook to `out` (a path or a binary file). `unit` limits it to the
    branches under that unit. `on_rows(done, total)` hears how far it has got. Returns the rows of
    each sheet."""
    today = today or timezone.localdate()
    branches = branches_under(unit)
    total = len(branches) + Member.objects.filter(branch_id__in=[pk for pk, _c, _n in branches]).count()
    summaries: dict[int, selectors.BranchSummary] = {}
    title = f"{year}年度党费台账" + (f"（{unit.name}）" if unit is not None else "")
    book = new_workbook()
    report = (lambda n: on_rows(n, total)) if on_rows else None
    members = write_sheet(
        book,
        wb.LEDGER_SHEET,
        wb.LEDGER_HEADERS,
        _ledger_rows(year, branches, today, summaries),
        widths=wb.LEDGER_WIDTHS,
        print_title=title,
        on_row=report,
    )
    written = write_sheet(
        book,
        wb.SUMMARY_SHEET,
        wb.SUMMARY_HEADERS,
        _summary_rows(branches, summaries),
        widths=wb.SUMMARY_WIDTHS,
        print_title=f"{title} · {wb.SUMMARY_SHEET}",
    )
    book.save(out)
    if on_rows:
        on_rows(members + written, max(total, members + written))
    return members, written
