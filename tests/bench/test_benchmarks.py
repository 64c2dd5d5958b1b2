"""The benchmark's write floors and its report (bench/benchmarks.py)."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from assessment.models import YEAR_QUARTER, BranchRating, Score
from assessment.services import checks
from bench import benchmarks

YEAR = 2025


@pytest.mark.django_db(transaction=True)
def test_the_write_floors_insert_the_jobs_rows_and_leave_nothing_behind():
    call_command("seed_scale", "--branches", "3", "--year", str(YEAR))
    before = set(Score.objects.values_list("pk", "branch_id", "indicator_id", "quarter", "computed"))
    with CaptureQueriesContext(connection) as queries:
        took = benchmarks.write_floor(YEAR, 4)
    assert took > 0
    statements = [q["sql"].lstrip() for q in queries.captured_queries]
    inserted = [sql for sql in statements if sql.startswith("INSERT INTO assessment_score")]
    assert len(inserted) == benchmarks.FLOOR_REPEATS
    assert set(Score.objects.values_list("pk", "branch_id", "indicator_id", "quarter", "computed")) == before
    # As many rows as the jobs write: the same statement, kept, against each job's own count.
    floor_rows = {}
    with connection.cursor() as cursor:
        for quarter in (4, YEAR_QUARTER):
            cursor.execute(benchmarks.WRITE_SCORES, benchmarks.write_params(YEAR, quarter))
            floor_rows[quarter] = cursor.rowcount
    Score.objects.filter(computed_note=benchmarks.WRITE_NOTE).delete()
    checks.quarter_compute(year=YEAR, quarter=4, today=date(YEAR + 1, 1, 5))
    checks.year_auto_compute(year=YEAR, today=date(YEAR + 1, 1, 15))
    computed = dict(Score.objects.filter(computed__isnull=False).values_list("quarter").annotate(n=Count("pk")))
    assert floor_rows == {4: computed[4], YEAR_QUARTER: computed[YEAR_QUARTER]}
    assert floor_rows[4] > 0 and floor_rows[YEAR_QUARTER] > 0


@pytest.mark.django_db(transaction=True)
def test_the_jobs_are_timed_as_their_floors_and_leave_nothing_behind():
    call_command("seed_scale", "--branches", "3", "--year", str(YEAR))
    # rate_year's floor reads the meeting kinds its yearly codes read (B6, E2), not all twelve months' every kind.
    assert benchmarks.meeting_kinds(YEAR, quarterly=False) == ["life_meeting", "volunteer"]
    assert "life_meeting" not in benchmarks.meeting_kinds(YEAR, quarterly=True)
    before = Score.objects.count()
    with CaptureQueriesContext(connection) as queries:
        [line] = benchmarks.run_quarter(YEAR)
    assert Score.objects.count() == before  # three runs, each rolled back after its foreign-key checks
    checks_run = [q for q in queries.captured_queries if q["sql"].startswith("SET CONSTRAINTS ALL IMMEDIATE")]
    assert len(checks_run) == 2 * benchmarks.FLOOR_REPEATS  # the write floor's and the job's
    # In turns: write floor, job, read floor, three times (the write floor's checks follow its INSERT).
    turns, previous = [], ""
    for sql in (q["sql"].lstrip() for q in queries.captured_queries):
        if sql.startswith(benchmarks.WRITE_SCORES.strip()[:60]):
            turns.append("write")
        elif sql.startswith("SET CONSTRAINTS") and not previous.startswith(benchmarks.WRITE_SCORES.strip()[:60]):
            turns.append("job")
        elif sql.startswith(benchmarks.MEETINGS_BY_MONTH.strip()[:60]):
            turns.append("read")
        previous = sql
    assert turns == ["write", "job", "read"] * benchmarks.FLOOR_REPEATS
    assert line["job"] == "compute_quarter" and line["time"] > 0 and line["floor"] > 0 and line["rss_peak_mb"] > 0
    benchmarks.compute_quarters(YEAR)
    [line] = benchmarks.run_year(YEAR)
    assert line["job"] == "rate_year" and line["time"] > 0
    # The timed runs are rolled back; one proposal is kept for the pages measured next.
    assert BranchRating.objects.count() == benchmarks.branch_count()


@pytest.mark.django_db(transaction=True)
def test_the_export_and_its_floors_are_timed_in_turns_on_the_same_cells(monkeypatch):
    """Job, floor, plain floor, and again: neither side gets the machine's faster minutes; the floors
    write the very cells the export's own code builds, from memory, kept in a file between turns."""
    from assessment.yearbook import services

    call_command("seed_scale", "--branches", "3", "--year", str(YEAR))
    benchmarks.compute_quarters(YEAR)
    taken, written = [], []
    real_write, real_floor = services.workbook_write, benchmarks.export_floor

    def write(**kwargs):
        taken.append("job")
        return real_write(**kwargs)

    def floor(cells, path, formatted, repeats=benchmarks.FLOOR_REPEATS):
        taken.append("floor" if formatted else "plain")
        assert repeats == 1
        written.append(sum(len(rows) for _title, _headers, rows in cells))
        return real_floor(cells, path, formatted, repeats)

    monkeypatch.setattr(services, "workbook_write", write)
    monkeypatch.setattr(benchmarks, "export_floor", floor)
    [line] = benchmarks.run_export(YEAR, date(YEAR + 1, 4, 1))
    assert taken == ["job", "floor", "plain"] * benchmarks.FLOOR_REPEATS
    assert written == [line["rows"]] * 2 * benchmarks.FLOOR_REPEATS  # the job's rows, each turn
    assert line["rows"] > 0 and line["time"] > 0 and line["floor"] > 0 and line["plain_floor"] > 0
    assert line["rss_peak_mb"] >= line["rss_before_mb"] > 0


def test_the_report_holds_the_jobs_to_read_plus_write_and_to_their_memory():
    lines = [
        {"n": 1000, "job": "compute_quarter", "time": 0.6, "floor": 0.2, "write_floor": 0.2, "rss_peak_mb": 120},
        {"n": 5000, "job": "compute_quarter", "time": 3.0, "floor": 1.0, "write_floor": 1.0, "rss_peak_mb": 150},
        {"n": 5000, "job": "rate_year", "time": 4.0, "floor": 1.0, "write_floor": 1.0, "rss_peak_mb": 250},
    ]
    text, met = benchmarks.report(lines)
    assert (
        "compute_quarter  at N=5,000: 1.50× (within 1.5×); peak 150 MB (under 200 MB);"
        " time per branch 1.00× that at N=1,000 (linear)"
    ) in text
    assert "rate_year        at N=5,000: 2.00× (OVER 1.5×); peak 250 MB (OVER 200 MB)" in text
    assert met is False
    assert benchmarks.report(lines[:2])[1] is True
    slower = [lines[0], {**lines[1], "time": 3.0 * 1.4, "floor": 1.4, "write_floor": 1.4}]
    text, met = benchmarks.report(slower)
    assert "NOT linear" in text and met is False
