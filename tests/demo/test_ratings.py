"""The demo's ratings tell the truth: last year's auto indicators follow the demo's records, only the
hand-scored ones carry a checker's score and note; last year is published with its 公示 open, two
objections, an interview held and one to hold, and documents on most hand-scored indicators. Seeding
twice changes nothing.

The demo used to score every indicator of the past years by hand ("演示：检查评分"), so a branch that
met every quarter could score 0 on B1. Its meetings start on 1 January of last year, so the years
before are imported history (历史星级) and last year is the first rated in the app. Which branches
keep full marks on B — hence the veto and five stars — is now the records' to say; the applications
pin the cases that do not depend on them.
"""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models.functions import ExtractQuarter

from activities.models import Meeting
from assessment.models import (
    BranchRating,
    Holiday,
    Indicator,
    Interview,
    Objection,
    Problem,
    PublicNotice,
    Score,
    StarHistory,
    SupportingDocument,
    YearRating,
)
from assessment.publication import selectors
from assessment.publication.rules import NoticeState

TODAY = date(2026, 8, 20)
LAST = 2025


def seed():
    call_command("seed_demo", "--today", TODAY.isoformat(), stdout=StringIO())


def snapshot():
    return (
        sorted(StarHistory.objects.values_list("branch__code", "year", "level", "source")),
        sorted(BranchRating.objects.values_list("pk", "score", "proposed_level", "override_level", "action")),
        sorted(Score.objects.values_list("pk", "manual", "computed")),
        Score.history.count(),
        sorted(Problem.objects.values_list("pk", "closed_on")),
        sorted(PublicNotice.objects.values_list("pk", "ends_on", "withdrawn_at")),
        sorted(Objection.objects.values_list("pk", "answered_at")),
        Interview.objects.count(),
        SupportingDocument.objects.count(),
        Holiday.history.count(),
    )


@pytest.mark.django_db
def test_the_demo_rates_last_year_from_its_records_publishes_it_and_is_idempotent():
    seed()
    assert set(YearRating.objects.values_list("year", "status")) == {(LAST, "approved")}
    assert set(StarHistory.objects.filter(year__lt=LAST).values_list("source", flat=True)) == {"imported"}

    # Only the hand-scored indicators carry a checker's score, each with a note a checker would write.
    scores = Score.objects.filter(indicator__standard__year=LAST)
    assert not scores.filter(indicator__mode=Indicator.Mode.AUTO, manual__isnull=False).exists()
    manual = scores.filter(indicator__mode=Indicator.Mode.MANUAL)
    assert manual.count() == 12 * (12 + 2 * 4)  # 12 yearly + A4 and A5 each quarter, for 12 branches
    assert not manual.filter(manual_note__contains="演示").exists()
    # B1 follows the records: full points in a quarter with a submitted 党员大会, none without.
    held = set(
        Meeting.objects.filter(kind=Meeting.Kind.GENERAL_MEETING, status="submitted", held_on__year=LAST)
        .annotate(q=ExtractQuarter("held_on"))
        .values_list("branch_id", "q")
    )
    b1 = list(scores.filter(indicator__code="B1").values_list("branch_id", "quarter", "computed"))
    assert len(b1) == 48
    assert all((value == 6) == ((branch_id, quarter) in held) for branch_id, quarter, value in b1)
    assert any(value == 6 for _b, _q, value in b1)

    lines = {r.branch.code: r for r in BranchRating.objects.filter(rating__year=LAST).select_related("branch")}
    assert (lines["ZB03"].action, lines["ZB05"].action, lines["ZB11"].action) == ("first", "restore", "up")
    assert (lines["ZB12"].level, lines["ZB12"].action) == (2, "same")
    assert (lines["ZB08"].level, lines["ZB08"].action) == (2, "down")
    assert lines["ZB08"].override_reason.startswith("该支部一名党员年内受到党内警告处分")
    assert lines["ZB10"].is_lagging
    assert any(line.vetoed for line in lines.values())  # the demo's records skip a month here and there

    # The 公示 is open on the demo's day, with one objection answered and one waiting.
    notice = PublicNotice.objects.get(rating__year=LAST)
    assert notice.opened_on < TODAY <= notice.ends_on
    assert selectors.notice_state(notice, TODAY) == NoticeState.OPEN
    objections = list(Objection.objects.order_by("pk").select_related("raised_by", "branch"))
    assert [(o.raised_by.username, o.branch.code, o.is_answered) for o in objections] == [
        ("dangyuan", "ZB08", True),
        ("zuzhang", "ZB06", False),
    ]
    # ZB12's interview is held, with its follow-up problem; ZB08 is still to be held.
    interview = Interview.objects.get()
    assert (interview.branch.code, interview.held_on) == ("ZB12", TODAY)
    assert interview.problems.get().deadline > TODAY
    assert selectors.is_on_interview_list(lines["ZB08"].branch, LAST)
    assert not Interview.objects.filter(branch__code="ZB08").exists()

    # Documents back most hand-scored indicators of last year, and the checkers' scores cite them.
    backed = set(
        SupportingDocument.objects.filter(indicator__standard__year=LAST).values_list("branch_id", "indicator_id")
    )
    assert len(backed) >= 0.75 * 12 * 14 and len(backed) < 12 * 14
    assert manual.filter(citations__isnull=False).exists()

    assert Score.objects.filter(indicator__standard__year=2026, quarter=3).exists()  # this year, computed so far
    assert Problem.objects.filter(year=2026).overdue(TODAY).exists()

    before = snapshot()
    seed()
    assert snapshot() == before
