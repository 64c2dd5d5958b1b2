"""The benchmark's write floors and its report (bench/benchmarks.py)."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from assessment.models import YEAR_QUARTER, Score
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


def test_the_report_shows_the_write_floor_beside_the_target():
    lines = [
        {"n": 1000, "job": "compute_quarter", "time": 1.0, "floor": 0.1, "write_floor": 0.2},
        {"n": 5000, "job": "compute_quarter", "time": 5.0, "floor": 0.5, "write_floor": 1.0},
    ]
    text, met = benchmarks.report(lines)
    assert "writing its scores alone 1.00 s; 3.33× read + write" in text
    assert "compute_quarter  at N=5,000: 10.00× floor (OVER 3×)" in text
    assert met is False
