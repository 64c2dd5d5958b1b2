"""Benchmarks at the scale of a province (`make bench`): each job beside a floor measured in the same run.

The floors are what any implementation must at least do over the same rows:
- compute_quarter / rate_year: hand-written SQL aggregates that read the facts the auto indicators
  are computed from (per-branch meeting counts per month and attendance sums, members on the
  period's last day, study notes per member and month, talks, pledges, cadres, problems due, and for
  the year every score), fetched to the client;
- beside each job's floor, shown but not part of the target: what storing its scores costs by
  itself, one hand-written INSERT of a row per branch and auto indicator of the period (quarterly for
  compute_quarter, yearly for rate_year, whose proposal lines are left out), with the foreign keys
  checked as at commit (the jobs must write them; the read floors do not);
- export_year: openpyxl write-only writing the very same cells (values, number formats, escapes)
  from lists already in memory; the values alone, without formats, are timed too and shown.
"""

from __future__ import annotations

import gc
import json
import os
import pickle
import platform
import resource
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction

from activities import compliance
from assessment import standard as standard_spec
from assessment.models import YEAR_QUARTER, Indicator
from assessment.selectors import indicators_of
from assessment.services.checks import quarter_compute
from assessment.services.ratings import year_propose
from assessment.services.standards import standard_ensure
from assessment.yearbook import selectors, services
from bench import pages
from branches.models import OrgUnit
from core.bulk import collector_paused, tune_for_jobs
from core.periods import Period
from core.spreadsheets import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    DECIMAL_FORMAT,
    FORMULA_PREFIXES,
    PERCENT_FORMAT,
    Percent,
)

FLOOR_REPEATS = 3


def _timed(fn: Callable) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _best(fn: Callable, repeats: int = FLOOR_REPEATS, *, paused: bool = True) -> float:
    """The best of `repeats` runs, each in a transaction with the settings the jobs run with and, as
    the rating jobs run, Python's cyclic collector paused (core.bulk.collector_paused; `paused` False
    for the export's floor: the export runs with the collector on)."""

    def run():
        with transaction.atomic(), collector_paused() if paused else nullcontext():
            tune_for_jobs()
            fn()

    return min(_timed(run)[0] for _ in range(repeats))


def _fetch(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


MEETINGS_BY_MONTH = """
SELECT branch_id, unit_id, kind, date_trunc('month', held_on) AS month, count(*),
       sum(expected_count), sum(present_count),
       count(*) FILTER (WHERE is_backfilled), count(*) FILTER (WHERE below_quorum)
FROM activities_meeting
WHERE status = 'submitted' AND held_on BETWEEN %s AND %s AND kind = ANY(%s)
GROUP BY 1, 2, 3, 4
"""
MEMBERS_ON_DAY = """
SELECT ms.branch_id, count(*),
       count(*) FILTER (WHERE (m.full_on IS NOT NULL AND m.full_on <= %s)
                           OR (m.full_on IS NULL AND m.category = 'full'))
FROM members_membership ms JOIN members_member m ON m.id = ms.member_id
WHERE (ms.start IS NULL OR ms.start <= %s) AND (ms."end" IS NULL OR ms."end" >= %s)
  AND (m.joined_on IS NULL OR m.joined_on <= %s)
  AND NOT (m.status = 'retired' AND NOT m.counts_when_retired)
GROUP BY 1
"""
GROUPS = """
SELECT b.id, g.id, g.founded_on FROM branches_orgunit g
JOIN branches_orgunit b ON b.path = substr(g.path, 1, length(g.path) - %s)
WHERE g.kind = 'group'
"""
# C2 counts the months a member was required to write (spans, from joining, retired members only where
# they still count) against the months with a note: the members' rows are read as well as the spans.
NOTE_MONTHS = """
SELECT ms.branch_id, count(*) FILTER (WHERE n.months = %s), count(*)
FROM members_membership ms JOIN members_member m ON m.id = ms.member_id
LEFT JOIN (SELECT member_id, count(DISTINCT month) AS months FROM activities_studynote
           WHERE month BETWEEN %s AND %s GROUP BY member_id) n ON n.member_id = ms.member_id
WHERE (ms.start IS NULL OR ms.start <= %s) AND (ms."end" IS NULL OR ms."end" >= %s)
  AND (m.joined_on IS NULL OR m.joined_on <= %s) AND NOT (m.status = 'retired' AND NOT m.counts_when_retired)
GROUP BY 1
"""
PROBLEMS_DUE = """
SELECT branch_id, count(*), count(*) FILTER (WHERE closed_on <= deadline)
FROM assessment_problem WHERE deadline BETWEEN %s AND %s GROUP BY 1
"""
TALKED = """
SELECT ms.branch_id, count(DISTINCT t.member_id)
FROM activities_talk t JOIN members_membership ms ON ms.member_id = t.member_id
WHERE t.talked_on BETWEEN %s AND %s AND ms."end" IS NULL
GROUP BY 1
"""
# E1 reads the ratings of the year's pledges per branch; C5 the members who belonged to the branch
# during the year (spans, from joining, retired members only where they still count) and which of them
# made a pledge.
PLEDGES = """
SELECT branch_id, rating, count(*) FROM activities_pledge WHERE year = %s GROUP BY 1, 2
"""
PLEDGE_COVERAGE = """
SELECT ms.branch_id, count(DISTINCT ms.member_id), count(DISTINCT p.member_id)
FROM members_membership ms JOIN members_member m ON m.id = ms.member_id
LEFT JOIN (SELECT DISTINCT member_id FROM activities_pledge WHERE year = %s) p ON p.member_id = ms.member_id
WHERE (ms.start IS NULL OR ms.start <= %s) AND (ms."end" IS NULL OR ms."end" >= %s)
  AND (m.joined_on IS NULL OR m.joined_on <= %s) AND NOT (m.status = 'retired' AND NOT m.counts_when_retired)
GROUP BY 1
"""
CADRES = """
SELECT branch_id, count(*) FROM members_member WHERE is_party_cadre AND status <> 'retired' GROUP BY 1
"""
BRANCH_TERMS = "SELECT id, code, kind, elected_on FROM branches_orgunit WHERE kind = 'branch'"
YEAR_SCORES = """
SELECT s.branch_id, i.code, s.quarter, coalesce(s.manual, s.computed)
FROM assessment_score s JOIN assessment_indicator i ON i.id = s.indicator_id
JOIN assessment_standard st ON st.id = i.standard_id WHERE st.year = %s
"""
RATING_INPUTS = [
    ("SELECT branch_id, level FROM assessment_application WHERE year = %s", lambda y: [y]),
    ("SELECT branch_id, year, level FROM assessment_starhistory WHERE year < %s", lambda y: [y]),
    (
        "SELECT branch_id, count(*) FROM assessment_problem WHERE year = %s AND kind = 'check' "
        "AND closed_on IS NULL AND deadline < current_date GROUP BY 1",
        lambda y: [y],
    ),
]


def meeting_kinds(year: int, quarterly: bool) -> list[str]:
    """The meeting kinds the job's auto indicators read (activities.compliance.CODE_KINDS), as the job asks."""
    standard = standard_ensure(year=year)
    codes = {i.code for i in indicators_of(standard) if i.is_auto and i.is_quarterly == quarterly}
    codes &= set(standard_spec.MEETING_CODES)
    return sorted(set().union(*(compliance.CODE_KINDS[code] for code in codes)))


def quarter_floor(year: int, quarter: int, repeats: int = FLOOR_REPEATS) -> float:
    """The reads behind the quarter's auto indicators B1–B5, C1, C2 and E4 for every branch."""
    period = Period.for_quarter(year, quarter)
    day = period.end
    kinds = meeting_kinds(year, quarterly=True)

    def run():
        _fetch(MEETINGS_BY_MONTH, [period.start, period.end, kinds])
        _fetch(MEMBERS_ON_DAY, [day, day, day, day])
        _fetch(GROUPS, [OrgUnit.steplen])
        _fetch(NOTE_MONTHS, [len(period.months), period.start, period.end, day, period.start, day])
        _fetch(PROBLEMS_DUE, [period.start, period.end])

    return _best(run, repeats)


# A period's scores as one statement: as many rows as the job writes, notes of their usual length.
WRITE_SCORES = """
INSERT INTO assessment_score (branch_id, indicator_id, quarter, computed, computed_note, computed_at, manual_note)
SELECT b.id, i.id, %(quarter)s, i.points, %(note)s, now(), ''
FROM branches_orgunit b CROSS JOIN assessment_indicator i
WHERE b.kind = 'branch' AND i.standard_id = %(standard)s AND i.mode = 'auto' AND i.frequency = %(frequency)s
ON CONFLICT (branch_id, indicator_id, quarter) DO NOTHING
"""
WRITE_NOTE = "B1 支部党员大会：1/1 个季度召开 → 6.00/6"


def write_params(year: int, quarter: int) -> dict:
    """WRITE_SCORES's parameters: the quarter's auto quarterly indicators, or with quarter 0 the yearly ones."""
    return {
        "quarter": quarter,
        "note": WRITE_NOTE,
        "standard": standard_ensure(year=year).pk,
        "frequency": Indicator.Frequency.YEARLY if quarter == YEAR_QUARTER else Indicator.Frequency.QUARTERLY,
    }


def write_floor(year: int, quarter: int, repeats: int = FLOOR_REPEATS) -> float:
    """Insert the period's scores by hand and check their foreign keys; rolled back (best of `repeats`).

    Measured before the job, while the period has no computed scores; the table is vacuumed
    afterwards so the job does not step over the rolled-back rows.
    """
    params = write_params(year, quarter)

    def run():
        with transaction.atomic(), collector_paused():
            tune_for_jobs()
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(WRITE_SCORES, params)
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the checks a commit would run
                took = time.perf_counter() - started
            transaction.set_rollback(True)
        return took

    took = min(run() for _ in range(repeats))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) assessment_score")
    return took


def year_floor(year: int, repeats: int = FLOOR_REPEATS) -> float:
    """The reads behind the year's auto indicators (B6, C3, C5, D1, D3, E1, E2) and the rating."""
    period = Period.for_year(year)
    day = period.end
    kinds = meeting_kinds(year, quarterly=False)  # the 组织生活会 and volunteering, not every kind

    def run():
        _fetch(MEETINGS_BY_MONTH, [period.start, period.end, kinds])
        _fetch(MEMBERS_ON_DAY, [day, day, day, day])
        _fetch(TALKED, [period.start, period.end])
        _fetch(PLEDGES, [year])
        _fetch(PLEDGE_COVERAGE, [year, day, period.start, day])
        _fetch(CADRES, [])
        _fetch(BRANCH_TERMS, [])
        _fetch(PROBLEMS_DUE, [period.start, period.end])
        _fetch(YEAR_SCORES, [year])
        for sql, params in RATING_INPUTS:
            _fetch(sql, params(year))

    return _best(run, repeats)


def export_cells(year: int, today: date) -> list[tuple[str, tuple[str, ...], list[list]]]:
    """Every sheet's header and rows, read and built by the export's own code, kept in memory.

    A value that the workbook formats (a score, a rate, a date) or escapes (text like a formula) is
    kept as (value, number format, quote prefix); the floors below write them from here.
    """
    branches = selectors.branches_under(None)
    indicators = selectors.indicators(year)
    cells = []
    for spec, rows in services.sheets(year, None, branches, indicators, True, today):
        cells.append((spec.title, spec.headers, [[_marked(v) for v in row] for row in rows]))
    return cells


def _marked(value):
    if isinstance(value, Percent):
        return (float(value), PERCENT_FORMAT, False)
    if isinstance(value, Decimal):
        return (float(value), DECIMAL_FORMAT, False)
    if isinstance(value, datetime):
        return (value, DATETIME_FORMAT, False)
    if isinstance(value, date):
        return (value, DATE_FORMAT, False)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return (value, None, True)
    return value


def _plain(value):
    return value[0] if type(value) is tuple else value


def export_floor(cells, path: str, formatted: bool, repeats: int = FLOOR_REPEATS) -> float:
    """openpyxl write-only writing the cells: bare values, or (formatted) with their formats and escapes;
    the best of `repeats` runs."""
    # Imported here, as the app does (core.spreadsheets): the rating jobs' processes never load it.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    def cell(ws, marked):
        value, number_format, quoted = marked
        out = WriteOnlyCell(ws, value)
        if number_format:
            out.number_format = number_format
        if quoted:
            out.data_type, out.quotePrefix = "s", True
        return out

    def run():
        book = Workbook(write_only=True)
        for title, headers, rows in cells:
            ws = book.create_sheet(title)
            ws.append(list(headers))
            if formatted:
                for row in rows:
                    ws.append([cell(ws, v) if type(v) is tuple else v for v in row])
            else:
                for row in rows:
                    ws.append([_plain(v) for v in row])
        book.save(path)

    return _best(run, repeats, paused=False)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def branch_count() -> int:
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).count()


def _job_best(fn: Callable, repeats: int = FLOOR_REPEATS) -> float:
    """The job measured as its floors are: best of `repeats` in this warm process, each run in a
    transaction rolled back after the foreign-key checks a commit would run (as the write floor)."""

    def run():
        with transaction.atomic():
            started = time.perf_counter()
            fn()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            took = time.perf_counter() - started
            transaction.set_rollback(True)
        return took

    took = min(run() for _ in range(repeats))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) assessment_score")
        cursor.execute("VACUUM (ANALYZE) assessment_branchrating")
    return took


def _in_turns(job: Callable, write: Callable, read: Callable) -> dict:
    """A rating job beside its floors, each the best of three, taken in turns (write floor, job, read
    floor, then again), as the export's: the machine's speed drifts over minutes, and a block of three
    jobs and then one of three floors credited whichever ran in the faster stretch. The job's peak
    memory is taken after its first run, before any read floor has fetched its rows."""
    writes, jobs, reads = [], [], []
    before = peak = _rss_mb()
    for turn in range(FLOOR_REPEATS):
        writes.append(write(repeats=1))
        jobs.append(_job_best(job, repeats=1))
        if turn == 0:
            peak = _rss_mb()
        reads.append(read(repeats=1))
    return {
        "time": min(jobs),
        "floor": min(reads),
        "write_floor": min(writes),
        "rss_before_mb": before,
        "rss_peak_mb": peak,
    }


def run_quarter(year: int, quarter: int = 4) -> list[dict]:
    """compute_quarter for the last quarter, in a process of its own (its peak memory is the job's)."""
    n = branch_count()
    line = _in_turns(
        lambda: quarter_compute(year=year, quarter=quarter, read_aside=True),  # committed rows: as run_year
        lambda repeats: write_floor(year, quarter, repeats),
        lambda repeats: quarter_floor(year, quarter, repeats),
    )
    return [{"n": n, "job": "compute_quarter", **line}]


def compute_quarters(year: int) -> None:
    """The four quarters computed and committed, as in a real January (`bench --step quarters`, in a
    process of its own before rate_year's, so that the year's peak memory is its own)."""
    for q in (1, 2, 3, 4):
        quarter_compute(year=year, quarter=q)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) assessment_score")


def run_year(year: int) -> list[dict]:
    """rate_year once the four quarters are computed (compute_quarters, before).

    Each timed run is rolled back (_job_best), so it runs inside a transaction, where year_propose
    would not read the quarters' scores aside by itself; they are committed, so it does, as the
    task does outside a transaction."""
    n = branch_count()
    line = _in_turns(
        lambda: year_propose(year=year, read_aside=True),
        lambda repeats: write_floor(year, YEAR_QUARTER, repeats),
        lambda repeats: year_floor(year, repeats),
    )
    year_propose(year=year)  # kept this time: the pages measured next show the year's proposal
    return [{"n": n, "job": "rate_year", **line}]


def run_jobs(year: int, quarter: int = 4) -> list[dict]:
    """Both rating jobs in this process (the tests; `make bench` runs each in a process of its own)."""
    lines = run_quarter(year, quarter)
    compute_quarters(year)
    return lines + run_year(year)


def run_export(year: int, today: date) -> list[dict]:
    """export_year beside its floors, each the best of three, taken in turns (job, floor, plain floor,
    then again): the machine's speed drifts by 10–30 % over minutes, and three jobs and then three
    floors would credit whichever ran in the faster stretch. The floors' cells wait in a file between
    turns, so the jobs run without them in memory (as a real export does) and the job's peak memory is
    its own: measured after the first job, before any cells are made."""
    n = branch_count()
    before = _rss_mb()
    jobs, floors, plains = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        out, kept = os.path.join(folder, "export.xlsx"), os.path.join(folder, "cells.pickle")
        for turn in range(FLOOR_REPEATS):
            jobs.append(_timed(lambda: services.workbook_write(year=year, out=out, today=today)))
            if turn == 0:
                peak, size = _rss_mb(), os.path.getsize(out)
                cells = export_cells(year, today)
                with open(kept, "wb") as file:
                    pickle.dump(cells, file, protocol=pickle.HIGHEST_PROTOCOL)
            else:
                with open(kept, "rb") as file:
                    cells = pickle.load(file)
            floors.append(export_floor(cells, os.path.join(folder, "floor.xlsx"), formatted=True, repeats=1))
            plains.append(export_floor(cells, os.path.join(folder, "plain.xlsx"), formatted=False, repeats=1))
            del cells
            gc.collect()
    took, counts = min(jobs, key=lambda run: run[0])
    return [
        {
            "n": n,
            "job": "export_year",
            "time": took,
            "floor": min(floors),
            "plain_floor": min(plains),
            "rows": sum(counts.values()),
            "bytes": size,
            "rss_before_mb": round(before, 1),
            "rss_peak_mb": round(peak, 1),
        }
    ]


# --- the year archive and the search (issue 13) ----------------------------------------------------------

SEARCH_TARGET = 0.3  # seconds: a search of the whole organisation answers within this


def largest_branch() -> OrgUnit:
    from django.db.models import Count

    return OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).annotate(n=Count("members")).order_by("-n", "code").first()


def run_archive(year: int, today: date) -> list[dict]:
    """The year archive (one PDF) of the branch with the most members, as its job builds it."""
    from activities.archive import services as archive
    from activities.models import Meeting

    branch = largest_branch()
    records = Meeting.objects.submitted().filter(branch=branch, held_on__year=year).count()
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "archive.pdf")
        cpu = time.process_time()
        took, (_branches, pages) = _timed(lambda: archive.archive_write(unit=branch, year=year, out=out, today=today))
        cpu = time.process_time() - cpu  # the layout is pure Python: on a shared machine CPU time says more
        size = os.path.getsize(out)
    return [
        {
            "n": branch_count(),
            "job": "year_archive",
            "time": took,
            "cpu": cpu,
            "branch": branch.code,
            "members": branch.n,
            "records": records,
            "pages": pages,
            "bytes": size,
        }
    ]


def run_search(year: int) -> list[dict]:
    """The committee's search over every record, as the page runs it: the count and the first page."""
    from activities import search
    from activities.models import Attendance, Meeting

    branch = largest_branch()
    name = (
        Attendance.objects.filter(meeting__branch=branch, meeting__held_on__year=year)
        .order_by("pk")
        .values_list("member__name", flat=True)
        .first()
    ) or "张伟"
    queries = [
        ("one branch's code in the minutes", [branch.code], None),
        ("a phrase in every record", ["传达学习"], None),
        # The page keeps the text part of a one- or two-character name to one year, as for any short term.
        ("a member's name", [name], year if search.needs_year([name]) else None),
        ("two characters (text in one year)", ["党员"], year),
    ]
    lines = []
    people = Attendance.objects.all()
    for label, terms, text_year in queries:

        def run(terms=terms, text_year=text_year):
            # As the page runs it: the probe chooses the plan, the count stops at COUNT_CAP, one page.
            scope = Meeting.objects.all()
            ids, capped, plan = search.find(scope, terms, people, text_year=text_year)
            page = list(Meeting.objects.filter(pk__in=ids[:20]).select_related("unit").order_by("-held_at", "-pk"))
            return (plan, len(ids), capped), page

        def run_before(terms=terms, text_year=text_year):
            # The search before the walk and the capped count: the index's every match, counted.
            found = search.search_meetings(Meeting.objects.all(), terms, people, text_year=text_year)
            return found.count(), list(found.select_related("unit").order_by("-held_at", "-pk")[:20])

        run()  # warm the cache, as a user's second search would be
        timings = [_timed(run) for _ in range(FLOOR_REPEATS)]
        took, ((plan, hits, capped), _page) = min(timings, key=lambda t: t[0])
        run_before()
        before, (all_hits, _page) = min((_timed(run_before) for _ in range(FLOOR_REPEATS)), key=lambda t: t[0])
        lines.append(
            {
                "n": branch_count(),
                "job": "search",
                "query": label,
                "terms": terms,
                "time": took,
                "plan": plan,
                "hits": hits,
                "capped": capped,
                "time_before": before,
                "hits_before": all_hits,
                "records": Meeting.objects.count(),
            }
        )
    return lines


def _archive_and_search_lines(lines: list[dict]) -> list[str]:
    out = []
    for line in sorted(lines, key=lambda r: r["n"]):
        if line.get("job") == "year_archive":
            out.append(
                f"{line['n']:>6}  year_archive    {line['time']:>9.2f}  CPU {line['cpu']:.2f} s;"
                f" branch {line['branch']}: {line['members']}"
                f" members, {line['records']} records, {line['pages']} pages, {line['bytes'] / 1e6:.1f} MB"
            )
        elif line.get("job") == "compliance_gaps":
            out.append(
                f"{line['n']:>6}  compliance_gaps {line['time']:>9.2f}  every kept year's gaps of"
                f" {line['branches']:,} branches stored; one branch after a write {1000 * line['one']:.0f} ms"
            )
        elif line.get("job") == "search":
            within = "within" if line["time"] <= SEARCH_TARGET else "OVER"
            before = (
                f"; before the walk and the cap {line['time_before']:.3f} s for {line['hits_before']:,}"
                if "time_before" in line
                else ""
            )
            out.append(
                f"{line['n']:>6}  search          {line['time']:>9.3f}  {line['query']}:"
                f" {'more than ' if line.get('capped') else ''}{line['hits']:,} of {line['records']:,} records"
                f" ({line.get('plan', 'index')}; {within} {SEARCH_TARGET:g} s{before})"
            )
    return out


# --- the report ----------------------------------------------------------------------------------------

JOBS = ("compute_quarter", "rate_year", "export_year")
# Issue 18's targets at the largest N: the rating jobs against reading their facts plus writing their
# scores, the export against openpyxl writing the same cells; every job's peak memory.
TARGETS = {"compute_quarter": 1.5, "rate_year": 1.5, "export_year": 1.3}
MEMORY_TARGET_MB = 200
LINEAR_TOLERANCE = 1.3  # time per branch at the largest N may exceed that at the middle N by this much


def ratio(line: dict) -> float:
    """The target's ratio: job ÷ (read floor + write floor), or ÷ the openpyxl floor for the export."""
    floor = line["floor"] + line.get("write_floor", 0)
    return line["time"] / floor if floor else float("inf")


def machine() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    try:
        with open("/proc/meminfo") as f:
            mem_kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
    except (OSError, StopIteration, ValueError):
        mem_kb = 0
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "postgresql": pg,
        "python": platform.python_version(),
        "loadavg": os.getloadavg(),
    }


def report(lines: list[dict]) -> tuple[str, bool]:
    """The jobs' table (time, floors, the target's ratio, peak memory), the pages' table, the linear-growth
    check, and whether every target is met."""
    rows = [line for line in lines if line.get("job") in JOBS]
    out = [
        f"{'N':>6}  {'job':<16}{'time s':>9}{'read s':>9}{'write s':>9}{'ratio':>7}{'target':>7}"
        f"{'peak MB':>9}  {'ms/branch':>9}"
    ]
    met = True
    for line in sorted(rows, key=lambda r: (r["n"], JOBS.index(r["job"]))):
        extra = ""
        if line["job"] == "export_year":
            bare = line["time"] / line["plain_floor"]
            extra = f"  rows {line['rows']:,}; values-only floor {line['plain_floor']:.2f} s ({bare:.2f}×)"
        write = f"{line['write_floor']:>9.2f}" if "write_floor" in line else f"{'':>9}"
        if "rss_before_mb" in line:
            extra += f"  (process at {line['rss_before_mb']:.0f} MB before the job)"
        peak = line.get("rss_peak_mb")
        out.append(
            f"{line['n']:>6}  {line['job']:<16}{line['time']:>9.2f}{line['floor']:>9.2f}{write}{ratio(line):>7.2f}"
            f"{TARGETS[line['job']]:>7.1f}{peak if peak is not None else float('nan'):>9.0f}"
            f"  {1000 * line['time'] / line['n']:>9.2f}{extra}"
        )
    seeds = [line for line in lines if line.get("job") == "seed_scale"]
    if seeds:
        out.append("")
        out.append(
            "seed_scale: " + "; ".join(f"N={s['n']:,} {s['time']:.1f} s" for s in sorted(seeds, key=lambda s: s["n"]))
        )
    extra_lines = _archive_and_search_lines(lines)
    if extra_lines:
        out.append("")
        out.extend(extra_lines)
    sizes = sorted({r["n"] for r in rows})
    if sizes:
        big = sizes[-1]
        out.append("")
        for job in JOBS:
            at = {r["n"]: r for r in rows if r["job"] == job}
            if big not in at:
                continue
            within = ratio(at[big]) <= TARGETS[job]
            small = (at[big].get("rss_peak_mb") or 0) < MEMORY_TARGET_MB
            verdict = (
                f"{job:<16} at N={big:,}: {ratio(at[big]):.2f}× ({'within' if within else 'OVER'} {TARGETS[job]:g}×);"
                f" peak {at[big].get('rss_peak_mb') or 0:.0f} MB ({'under' if small else 'OVER'} {MEMORY_TARGET_MB} MB)"
            )
            met = met and within and small
            if len(sizes) >= 2 and sizes[-2] in at:
                mid = sizes[-2]
                growth = (at[big]["time"] / big) / (at[mid]["time"] / mid)
                linear = growth <= LINEAR_TOLERANCE
                met = met and linear
                verdict += f"; time per branch {growth:.2f}× that at N={mid:,} ({'linear' if linear else 'NOT linear'})"
            out.append(verdict)
    loads = [line for line in lines if line.get("job") == "loadavg"]
    if loads:
        out.append("")
        out.append("load average after each size: " + "; ".join(f"N={x['n']:,} {x['loadavg']}" for x in loads))
    page_table = pages.report(lines)
    if page_table:
        out += ["", page_table]
    return "\n".join(out), met


def dump(results: list[dict], path: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        for line in results:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")


def load(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
