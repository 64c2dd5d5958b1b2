"""The compliance overview's stored gaps: every empty window of a year's requirements, per branch.

The overview ranks a province's branches worst first on every request. Counted from the meetings
(selectors.GAPS_SQL) that took about 0.4 s of PostgreSQL at 5,000 branches; counted from rows kept
here it takes a few milliseconds (docs/performance.md). The rows are derived, never edited:

- `ComplianceGap`: a unit's window (a month, quarter or the year, by the requirement's frequency)
  with no submitted meeting of the kind, for the years the page offers (KEPT_YEARS). Whether an empty
  window is missing, due or not yet open is decided when it is read, so nothing goes stale with the
  calendar.
- `ComplianceBuilt`: the branch's gaps of that year are stored.
- `ComplianceChange`: a write that may have changed a branch's gaps. Database triggers (migration
  0012) record one in the writing transaction for every meeting submitted, returned, deleted or
  moved, every group founded, moved or removed, and every change to a member or membership span that
  may move the branch across the committee's seven full members — whichever code path wrote it
  (forms, imports by COPY, bulk updates, the admin).

A branch is read from the stored rows only when its year is built and no change is recorded for it;
otherwise the ranking counts it from the meetings (selectors.compliance_ranking), so the page is right
at every moment and the refresh only makes it fast. `gaps_refresh` (every minute, by beat) rebuilds
the branches with changes and the years not built yet, and deletes exactly the changes it saw before
it read: a change committed while it works stays recorded, and the branch is rebuilt again next time.

PostgreSQL only: SQLite has no triggers here (the laptop demo ranks by the rules).
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from . import compliance, selectors
from .models import ComplianceBuilt, ComplianceChange, ComplianceGap

# The years whose gaps are kept: the overview's year list (this year and the four before it).
KEPT_YEARS = 5
# Branches rebuilt in one transaction: about 40 gap rows a branch and year.
CHUNK = 500
# One refresh at a time (two would each insert the branch's rows); pg_try_advisory_xact_lock's key.
LOCK_KEY = 0x5B_6A95  # "gaps"


def supported() -> bool:
    return connection.vendor == "postgresql"


def kept_years(today: date) -> list[int]:
    return list(range(today.year - KEPT_YEARS + 1, today.year + 1))


# Branches whose gaps must be rebuilt: any change recorded, or a kept year not built (every branch for
# the nightly rebuild), each once a run. Branches that no longer exist leave their rows behind;
# `gaps_prune` deletes them.
WORK_SQL = """
SELECT b.id FROM branches_orgunit b
WHERE b.kind = 'branch' AND b.id <> ALL(%s::int[]) AND (
    %s
    OR EXISTS (SELECT 1 FROM activities_compliancechange x WHERE x.branch_id = b.id)
    OR EXISTS (
        SELECT 1 FROM unnest(%s::int[]) y (year)
        WHERE NOT EXISTS (SELECT 1 FROM activities_compliancebuilt k WHERE k.branch_id = b.id AND k.year = y.year)
    )
)
ORDER BY b.id LIMIT %s
"""


def gaps_refresh(today: date | None = None, chunk: int = CHUNK, *, everything: bool = False) -> int:
    """Rebuilds the stored gaps of every branch that needs it (`everything`: of every branch),
    `chunk` branches a transaction.

    Returns the number of branches rebuilt; 0 where another refresh holds the lock or on SQLite. Safe
    to run twice and at any time: readers never see a branch half rebuilt (each chunk is one
    transaction, and until it commits its branches are read from the meetings).
    """
    if not supported():
        return 0
    years = kept_years(today or timezone.localdate())
    done: list[int] = []
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
            if not cursor.fetchone()[0]:
                return len(done)
            # Each branch once a run: one written to all the time waits for the next run.
            cursor.execute(WORK_SQL, [done, everything, years, chunk])
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return len(done)
            _rebuild(cursor, ids, years)
            done += ids


def _rebuild(cursor, ids: list[int], years: list[int]) -> None:
    # The changes seen now are deleted at the end; the gaps are read by later statements, which see
    # at least what these changes recorded (READ COMMITTED: each statement sees what was committed
    # before it began).
    seen = list(ComplianceChange.objects.filter(branch_id__in=ids).values_list("pk", flat=True))
    ComplianceGap.objects.filter(branch_id__in=ids, year__in=years).delete()
    cursor.execute(selectors.GAPS_SETTINGS)
    for year in years:
        sql, params = selectors.gaps_query(ids, compliance.year_windows(year), year)
        cursor.execute(
            sql
            + "INSERT INTO activities_compliancegap (branch_id, year, unit_id, kind, starts, ends) "
            + "SELECT branch_id, %s, unit_id, kind, starts, ends FROM gaps",
            [*params, year],
        )
    ComplianceBuilt.objects.bulk_create(
        [ComplianceBuilt(branch_id=pk, year=year) for pk in ids for year in years], ignore_conflicts=True
    )
    ComplianceChange.objects.filter(pk__in=seen).delete()


def gaps_prune(today: date | None = None) -> int:
    """Deletes the stored rows of years no longer kept and of branches that no longer exist."""
    if not supported():
        return 0
    years = kept_years(today or timezone.localdate())
    with transaction.atomic(), connection.cursor() as cursor:
        deleted = 0
        for table in ("activities_compliancegap", "activities_compliancebuilt", "activities_compliancechange"):
            kept = "" if table == "activities_compliancechange" else "year <> ALL(%s) OR "
            cursor.execute(
                f"DELETE FROM {table} t WHERE {kept}NOT EXISTS "
                "(SELECT 1 FROM branches_orgunit b WHERE b.id = t.branch_id AND b.kind = 'branch')",
                [years] if kept else [],
            )
            deleted += cursor.rowcount
        return deleted


def gaps_rebuild_all(today: date | None = None) -> int:
    """Rebuilds every branch's kept years and drops the others (after the rules changed, and every
    night). In place, a chunk a transaction: the page reads the old rows until each chunk commits."""
    if not supported():
        return 0
    gaps_prune(today)
    return gaps_refresh(today, everything=True)
