"""The demo builder: it shows every state, and running it twice changes nothing."""

from datetime import date
from types import SimpleNamespace

from activities.models import Appraisal, AppraisalEntry, PeerBallot, Pledge, PledgeNote, StudyNote
from activities.pledges import rules, selectors
from core.periods import Period
from demo.pledges import seed_pledges
from tests.factories import make_member, member_with_login

TODAY = date(2025, 11, 20)


def _counts():
    return [m.objects.count() for m in (Pledge, PledgeNote, StudyNote, Appraisal, AppraisalEntry, PeerBallot)]


def test_demo_covers_every_state_and_is_idempotent(org):
    for n in range(7):
        make_member(org.branch, name=f"演示党员{n}")
    make_member(org.other_branch, name="办公室党员")
    demo_org = SimpleNamespace(today=TODAY, branches=[org.branch, org.other_branch])

    seed_pledges(demo_org)
    first = _counts()
    seed_pledges(TODAY, demo_org)  # the brief's argument order works as well
    assert _counts() == first

    last_year, this_year = TODAY.year - 1, TODAY.year
    assert not Pledge.objects.filter(year=last_year, rating="").exists()  # last year rated
    assert Pledge.objects.filter(year=this_year).exists()
    assert Pledge.objects.filter(year=this_year, member__isnull=True).exists()  # branch items too
    assert PledgeNote.objects.exists()

    closed = Appraisal.objects.get(branch=org.branch, year=last_year)
    assert not closed.is_open and not closed.entries.filter(final_grade="").exists()
    assert rules.excellent_share_warning(closed.entries.values_list("final_grade", flat=True)) is not None
    other_closed = Appraisal.objects.get(branch=org.other_branch, year=last_year)
    assert rules.excellent_share_warning(other_closed.entries.values_list("final_grade", flat=True)) is None
    assert Appraisal.objects.get(branch=org.branch, year=this_year).is_open
    # The member with a login still has their ballot to cast.
    assert not PeerBallot.objects.filter(grader=org.member, appraisal__year=this_year).exists()

    facts = selectors.pledge_facts([org.branch.pk], Period.for_year(last_year))[org.branch.pk]
    scores = rules.pledge_indicator_scores(facts, Period.for_year(last_year), {"C2": 3, "C5": 3, "E1": 4})
    assert 0 < scores["E1"].earned < 4
    assert scores["C5"].earned > 0
    covered, total = rules.study_note_coverage(facts)
    assert total == 8 and 0 < covered <= total


def test_demo_member_logins_are_left_their_ballot(org):
    lina = make_member(org.branch, name="李娜")
    member_with_login(lina, "lina")
    seed_pledges(SimpleNamespace(today=TODAY, branches=[org.branch]))
    open_round = Appraisal.objects.get(branch=org.branch, year=TODAY.year)
    assert not open_round.entries.filter(member=lina).exclude(self_text="").exists()
