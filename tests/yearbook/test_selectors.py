"""The workbook's reads against the database, where a rule of the reading itself is at stake."""

from decimal import Decimal as D

from assessment.models import Indicator, Score
from assessment.services.standards import standard_ensure
from assessment.yearbook import selectors
from assessment.yearbook import workbook as wb

YEAR = 2025


def test_branch_scores_are_the_effective_scores_in_cents_with_their_notes(org):
    """The checker's score and note where one was entered, else the computed ones; in whole cents."""
    standard_ensure(year=YEAR)
    indicator = {i.code: i for i in Indicator.objects.filter(standard__year=YEAR)}
    branch, other = org.branch, org.other_branch

    def score(unit, code, quarter, **values):
        Score.objects.create(branch=unit, indicator=indicator[code], quarter=quarter, **values)

    score(branch, "B1", 1, computed=D("4.50"), computed_note="2/3 个月达标")
    score(branch, "B1", 2, computed=D("4.50"), computed_note="自动", manual=D("6.00"), manual_note="检查评分")
    score(branch, "B1", 3, computed=D("3.00"), computed_note="自动", manual=D("0.01"), manual_note="")
    score(branch, "B2", 1, computed=None, computed_note="尚无记录")  # no value: the note still shows
    score(branch, "A1", 0, manual=D("2.29"), manual_note="述职较好")  # 2.29 × 100 is not whole in binary
    score(other, "B1", 4, computed=D("0.00"))
    chunk = [
        wb.Branch(branch.pk, branch.code, branch.name, ""),
        wb.Branch(other.pk, other.code, other.name, ""),
    ]
    scores = selectors.branch_scores(YEAR, chunk)
    assert scores[branch.pk].cents == {("B1", 1): 450, ("B1", 2): 600, ("B1", 3): 1, ("A1", 0): 229}
    assert scores[branch.pk].notes == {
        "B1": {1: "2/3 个月达标", 2: "检查评分"},  # the checker's empty note hides the computed one
        "B2": {1: "尚无记录"},
        "A1": {0: "述职较好"},
    }
    assert scores[other.pk].cents == {("B1", 4): 0} and scores[other.pk].notes == {}
    assert selectors.branch_scores(YEAR + 1, chunk) == {}
