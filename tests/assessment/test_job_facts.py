"""The facts the scheduled jobs read for a whole province, and the bulk writes they make.

Where the database counts by a rule that also exists as a plain function (pledge_counts by
months_in_branch, full_on_q by is_full_on), the two are held to the same answers on members chosen to
sit on every boundary: spans that end on a month's last day or the day before, start on its first or
last day, members who joined the Party mid-period, retired members counted or not, transfers.
"""

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.safestring import mark_safe

from activities import compliance
from activities.compliance import meeting_indicator_scores
from activities.models import Meeting
from activities.pledges import rules, selectors, services
from activities.selectors import meeting_facts
from assessment.models import Indicator, Score
from assessment.services.standards import standard_ensure
from branches.models import OrgUnit
from core import bulk
from core.periods import Period
from members.models import Member, Membership
from members.rules import is_full_on
from members.selectors import full_on_q
from tests.factories import log_meeting, make_member, make_unit

YEAR = 2025
TODAY = date(2025, 12, 20)
BOUNDARIES = [
    None,
    date(2024, 12, 31),
    date(2025, 1, 31),
    date(2025, 2, 1),
    date(2025, 2, 27),
    date(2025, 2, 28),
    date(2025, 3, 30),
    date(2025, 3, 31),
    date(2025, 7, 15),
    date(2025, 12, 31),
]
JOINED = [None, date(2000, 1, 1), date(2025, 2, 28), date(2025, 3, 1), date(2025, 8, 31)]


def _span_cases():
    """(start, end) pairs that make a span, with a joining date, cycling through JOINED."""
    pairs = [
        (start, end)
        for start, end in itertools.product(BOUNDARIES, BOUNDARIES)
        if start is None or end is None or start <= end
    ]
    return [(start, end, JOINED[i % len(JOINED)]) for i, (start, end) in enumerate(pairs)]


@pytest.fixture
def boundary_branches(org):
    """Two branches whose members' spans, joining dates, notes and pledges sit on every boundary."""
    first = make_unit(OrgUnit.Kind.BRANCH, org.committee, code="BND1")
    second = make_unit(OrgUnit.Kind.BRANCH, org.committee, code="BND2")
    for i, (start, end, joined) in enumerate(_span_cases()):
        branch = first if i % 2 else second
        status = Member.Status.RETIRED if i % 7 == 0 else Member.Status.ACTIVE
        member = make_member(branch, status=status, counts_when_retired=i % 14 == 0, joined_on=joined, full_on=None)
        Membership.objects.filter(member=member).update(start=start, end=end)
        if i % 5 == 0 and end is not None:  # then in the other branch: a transfer
            other = second if branch == first else first
            Membership.objects.create(member=member, branch=other, start=end + timedelta(days=1))
        elif i % 3 == 0 and end is not None and end < date(YEAR, 11, 1):  # left and came back: one member
            Membership.objects.create(member=member, branch=branch, start=end + timedelta(days=45))
        for month in range(1, 13):
            if (i + month) % 4:  # most months have a note, some do not
                services.study_note_create(
                    member=member, month=date(YEAR, month, 1), title="心得", body="b", today=TODAY
                )
        if i % 3 == 0:
            services.pledge_create(branch=branch, member=member, year=YEAR, content="承诺", today=TODAY)
        if i % 6 == 0:  # a second pledge: still one member covered
            services.pledge_create(branch=branch, member=member, year=YEAR, content="承诺二", today=TODAY)
    return [first.pk, second.pk]


@pytest.mark.parametrize(
    "period",
    [Period.for_quarter(YEAR, 1), Period.for_quarter(YEAR, 3), Period.for_year(YEAR)],
    ids=["Q1", "Q3", "year"],
)
@pytest.mark.parametrize("codes", [None, {"C2"}, {"C5"}], ids=["all", "C2", "C5"])
def test_the_database_counts_pledges_and_notes_as_the_rules_do(boundary_branches, period, codes):
    # C5 alone (the year's job) is counted by a statement of its own, PLEDGE_COVERAGE_SQL.
    in_sql = selectors.pledge_counts(boundary_branches, period, codes, in_sql=True)
    by_rules = selectors.pledge_counts(boundary_branches, period, codes, in_sql=False)
    assert in_sql == by_rules
    # Not a comparison of two empty answers: members counted, some covered and some not.
    for counts in in_sql.values():
        noted, counted = counts.note_coverage
        pledged, _ = counts.pledge_coverage
        if codes is None or "C2" in codes:
            assert 0 < noted < counted
        if codes is None or "C5" in codes:
            assert 0 < pledged < counted


def test_pledge_counts_of_some_codes_read_only_what_they_need(boundary_branches):
    period = Period.for_year(YEAR)
    with CaptureQueriesContext(connection) as only_e1:
        counts = selectors.pledge_counts(boundary_branches, period, {"E1"})
    assert all(c.note_coverage == (0, 0) for c in counts.values())
    assert not any("studynote" in q["sql"] for q in only_e1.captured_queries)
    scores = rules.pledge_indicator_scores(counts[boundary_branches[0]], period, {"C2": 3, "C5": 3, "E1": 4})
    assert set(scores) == {"E1"}  # C2 and C5 were not gathered, so they are not scored


def test_full_on_q_agrees_with_is_full_on(org):
    day = date(2025, 6, 30)
    cases = itertools.product([None, date(2025, 6, 29), day, date(2025, 7, 1)], Member.Category.values)
    members = [
        make_member(org.branch, full_on=full_on, category=category, joined_on=date(2024, 1, 1))
        for full_on, category in cases
    ]
    expected = {m.pk for m in members if is_full_on(day, m.joined_on, m.full_on, m.category == Member.Category.FULL)}
    found = set(
        Member.objects.filter(pk__in=[m.pk for m in members]).filter(full_on_q(day)).values_list("pk", flat=True)
    )
    assert found == expected and 0 < len(found) < len(members)


def test_meeting_facts_for_some_codes_score_those_codes_alike(org):
    branch = make_unit(OrgUnit.Kind.BRANCH, org.general)
    group = make_unit(OrgUnit.Kind.GROUP, branch)
    members = [make_member(branch, group=group, committee_post="委员" if i < 3 else "") for i in range(8)]
    log_meeting(branch, Meeting.Kind.LIFE_MEETING, date(YEAR, 11, 10))
    log_meeting(branch, Meeting.Kind.VOLUNTEER, date(YEAR, 5, 10))
    log_meeting(branch, Meeting.Kind.GENERAL_MEETING, date(YEAR, 5, 12))
    log_meeting(group, Meeting.Kind.GROUP_MEETING, date(YEAR, 5, 13))
    from activities import services as meeting_services

    meeting_services.talk_create(
        by=None, branch=branch, member=members[4], talked_on=date(YEAR, 3, 1), talker_name="上级"
    )
    period = Period.for_year(YEAR)
    everything = meeting_indicator_scores(meeting_facts([branch.pk], period)[branch.pk], period)
    yearly = {"B6", "C3", "E2"}
    with CaptureQueriesContext(connection) as queries:
        facts = meeting_facts([branch.pk], period, yearly)[branch.pk]
    some = meeting_indicator_scores(facts, period)
    assert set(some) == yearly
    assert all(some[code] == everything[code] for code in yearly)
    assert some["C3"].earned == Decimal("0.38")  # 1 of 8 members talked to, of 3 points
    # No groups (B3 and C1 are not asked for), and only the meeting kinds B6 and E2 read.
    assert len(queries) == 2
    assert facts.tally().meetings == 2 and not facts.groups


def test_every_branch_reads_the_same_facts_as_the_ids(org, boundary_branches):
    """A job's sources read every branch's rows (`every`) instead of matching 5,000 ids: the facts of
    the branches are the same, and a unit that is no longer a branch adds nothing to them."""
    from activities import services as meeting_services
    from assessment import selectors as assessment_selectors
    from assessment.models import Problem

    make_member(org.branch, is_party_cadre=True, name="李干部")
    log_meeting(org.branch, Meeting.Kind.GENERAL_MEETING, date(YEAR, 2, 10))
    log_meeting(org.group, Meeting.Kind.GROUP_MEETING, date(YEAR, 2, 11))
    meeting_services.talk_create(
        by=None, branch=org.branch, member=org.member, talked_on=date(YEAR, 3, 1), talker_name="上级"
    )
    former = make_unit(OrgUnit.Kind.BRANCH, org.committee, code="OLD")
    make_unit(OrgUnit.Kind.GROUP, former, code="OLD-1")
    old_member = make_member(former, is_party_cadre=True)
    log_meeting(former, Meeting.Kind.GENERAL_MEETING, date(YEAR, 2, 12))
    services.pledge_create(branch=former, member=old_member, year=YEAR, content="承诺", today=TODAY)
    for branch in (org.branch, former):
        Problem.objects.create(
            branch=branch,
            year=YEAR,
            quarter=1,
            description="问题",
            found_on=date(YEAR, 1, 5),
            deadline=date(YEAR, 3, 1),
        )
    OrgUnit.objects.filter(pk=former.pk).update(kind=OrgUnit.Kind.GENERAL_BRANCH)  # no longer a branch

    units = assessment_selectors.branches()
    ids = [u.pk for u in units]
    assert former.pk not in ids and set(boundary_branches) < set(ids)
    for period in (Period.for_quarter(YEAR, 1), Period.for_year(YEAR)):
        facts = meeting_facts(ids, period, every=True)
        assert facts == meeting_facts(ids, period)
        assert set(facts) == set(ids)
        assert facts[org.branch.pk].tally().meetings == 2 and facts[org.branch.pk].groups
        assert facts[org.branch.pk].members_talked == 1
        counts = selectors.pledge_counts(ids, period, every=True)
        assert counts == selectors.pledge_counts(ids, period) and set(counts) == set(ids)
        assert counts[boundary_branches[0]].pledge_coverage[0] > 0
        own = assessment_selectors.own_indicator_facts(units, period, TODAY, every=True)
        assert own == assessment_selectors.own_indicator_facts(units, period, TODAY)
        assert own[org.branch.pk].cadres == ("李干部",) and own[org.branch.pk].problems_due == 1


def test_codes_map_to_the_kinds_they_read():
    assert set(compliance.CODE_KINDS) == set(compliance.INDICATOR_CODES)
    assert compliance.CODE_KINDS["C1"] == set(compliance.ATTENDANCE_KINDS)


# --- bulk writes -----------------------------------------------------------------------------------


def test_copy_text_escapes_what_copy_would_read_as_structure():
    assert bulk.copy_text(None) == "\\N"
    assert bulk.copy_text(True) == "t" and bulk.copy_text(False) == "f"
    assert bulk.copy_text(Decimal("1.50")) == "1.50"
    assert bulk.copy_text("a\tb\nc\\d\re") == "a\\tb\\nc\\\\d\\re"
    assert bulk.copy_text(["综合得分", 'say "hi"']) == '["综合得分", "say \\\\"hi\\\\""]'
    assert bulk.copy_text(date(2025, 1, 2)) == "2025-01-02"
    assert bulk.copy_text(datetime(2025, 1, 2, 3, 4, tzinfo=UTC)) == "2025-01-02T03:04:00+00:00"


def test_copy_text_takes_subclasses_as_their_base_type():
    class Level(models.IntegerChoices):
        FIVE = 5

    class Kind(models.TextChoices):
        TAB = "a\tb"

    assert bulk.copy_text(Level.FIVE) == "5"
    assert bulk.copy_text(Kind.TAB) == "a\\tb"
    assert bulk.copy_text(mark_safe("x\ny")) == "x\\ny"
    assert bulk.copy_text(UUID(int=1)) == "00000000-0000-0000-0000-000000000001"


@pytest.fixture
def indicators(db):
    standard = standard_ensure(year=YEAR)
    return list(Indicator.objects.filter(standard=standard).order_by("position")[:3])


COLUMNS = ["branch", "indicator", "quarter", "computed", "computed_note", "computed_at"]


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "insert"])
def test_upsert_inserts_then_rewrites_only_the_named_columns(org, indicators, copy):
    now = timezone.now()
    first, second, third = indicators
    Score.objects.create(branch=org.branch, indicator=first, quarter=1, manual=Decimal("2.00"), manual_note="人工")
    rows = [
        (org.branch.pk, first.pk, 1, Decimal("1.00"), "说明\t含制表符\n和换行", now),
        (org.branch.pk, second.pk, 1, Decimal("0.50"), "新", now),
    ]
    assert bulk.upsert(Score, COLUMNS, rows, unique=COLUMNS[:3], update=COLUMNS[3:], copy=copy) == 2
    kept = Score.objects.get(indicator=first)
    assert (kept.computed, kept.computed_note, kept.manual, kept.manual_note) == (
        Decimal("1.00"),
        "说明\t含制表符\n和换行",
        Decimal("2.00"),
        "人工",
    )
    new = Score.objects.get(indicator=second)
    assert (new.computed, new.manual, new.manual_note, new.entered_by) == (Decimal("0.50"), None, "", None)

    again = [(org.branch.pk, second.pk, 1, Decimal("0.75"), "再算", now), (org.branch.pk, third.pk, 1, None, "", now)]
    bulk.upsert(Score, COLUMNS, again, unique=COLUMNS[:3], update=COLUMNS[3:], copy=copy)
    assert Score.objects.count() == 3
    assert Score.objects.get(indicator=second).computed == Decimal("0.75")


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "insert"])
def test_upsert_constants_go_into_every_row_and_update_like_columns(org, indicators, copy):
    first, second, _third = indicators
    earlier, later = timezone.now() - timedelta(days=1), timezone.now()
    names = ["branch", "indicator", "computed"]
    constants = {"quarter": 2, "computed_at": earlier, "computed_note": "同一说明"}
    rows = [(org.branch.pk, first.pk, Decimal("1.00")), (org.branch.pk, second.pk, Decimal("2.00"))]
    update = ["computed", "computed_at", "computed_note"]
    unique = ["branch", "indicator", "quarter"]
    bulk.upsert(Score, names, rows, unique=unique, update=update, constants=constants, copy=copy)
    bulk.upsert(
        Score, names, rows[:1], unique=unique, update=update, constants={**constants, "computed_at": later}, copy=copy
    )
    got = {s.indicator_id: (s.quarter, s.computed, s.computed_note, s.computed_at) for s in Score.objects.all()}
    assert got == {
        first.pk: (2, Decimal("1.00"), "同一说明", later),
        second.pk: (2, Decimal("2.00"), "同一说明", earlier),
    }


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "insert"])
def test_upsert_fresh_copies_new_rows_and_still_upserts_when_a_row_exists(org, indicators, copy):
    """`fresh` is the caller's word that no row exists yet: when it is wrong (a checker's score is
    there, or another job wrote meanwhile) the rows are upserted all the same, the person's columns kept."""
    first, second, third = indicators
    now = timezone.now()
    rows = [(org.branch.pk, first.pk, 1, Decimal("1.00"), "甲", now), (org.branch.pk, second.pk, 1, None, "乙", now)]
    assert bulk.upsert(Score, COLUMNS, rows, unique=COLUMNS[:3], update=COLUMNS[3:], copy=copy, fresh=True) == 2
    assert dict(Score.objects.values_list("computed_note", "computed")) == {"甲": Decimal("1.00"), "乙": None}

    Score.objects.create(branch=org.branch, indicator=third, quarter=1, manual=Decimal("2.00"), manual_note="人工")
    again = [
        (org.branch.pk, first.pk, 1, Decimal("0.50"), "再算", now),
        (org.branch.pk, third.pk, 1, Decimal("1.50"), "算", now),
    ]
    bulk.upsert(Score, COLUMNS, iter(again), unique=COLUMNS[:3], update=COLUMNS[3:], copy=copy, fresh=True)
    assert Score.objects.count() == 3
    assert Score.objects.get(indicator=first).computed == Decimal("0.50")
    kept = Score.objects.get(indicator=third)
    assert (kept.computed, kept.manual, kept.manual_note) == (Decimal("1.50"), Decimal("2.00"), "人工")


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "insert"])
def test_upsert_fresh_from_a_generator_cut_into_small_chunks(org, indicators, copy, monkeypatch):
    """The jobs hand upsert a generator that COPY takes a chunk at a time: when the COPY fails part-way
    (a row exists), the rows it had taken and those it had not are all upserted."""
    monkeypatch.setattr(bulk, "COPY_CHUNK", 40)  # a line or two a chunk
    now = timezone.now()
    Score.objects.create(branch=org.branch, indicator=indicators[0], quarter=1, manual=Decimal("2.00"))
    taken = []

    def rows():
        for quarter, indicator in itertools.product((1, 2, 3, 4), indicators):
            taken.append((quarter, indicator.pk))
            yield (org.branch.pk, indicator.pk, quarter, Decimal("1.00"), f"第{quarter}季度", now)

    assert bulk.upsert(Score, COLUMNS, rows(), unique=COLUMNS[:3], update=COLUMNS[3:], copy=copy, fresh=True) == 12
    assert len(taken) == 12  # the generator was run once
    assert Score.objects.count() == 12
    assert set(Score.objects.values_list("computed", flat=True)) == {Decimal("1.00")}
    assert Score.objects.get(indicator=indicators[0], quarter=1).manual == Decimal("2.00")


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"], ids=["arrays", "rows"])
def test_score_cents_gives_each_branch_once_and_whole(org, monkeypatch, vendor):
    """score_cents reads the year's scores a branch at a time (PostgreSQL: a row of arrays a branch;
    elsewhere rows in branch order): each branch comes once, with every score of it, whatever the
    fetches' size; in cents, as score_values in Decimal."""
    from assessment import selectors as assessment_selectors
    from tests.factories import give_scores

    monkeypatch.setattr(assessment_selectors, "FETCH_ROWS", 1)  # a fetch a branch, or rows across fetches
    monkeypatch.setattr(connection, "vendor", vendor)
    give_scores(org.branch, YEAR, B1="1.25", E1="0.01")
    give_scores(org.other_branch, YEAR, B2="2")
    ids = list(Indicator.objects.filter(standard__year=YEAR).values_list("pk", flat=True))
    code = dict(Indicator.objects.filter(pk__in=ids).values_list("pk", "code"))
    streamed = list(assessment_selectors.score_cents(ids))
    assert [pk for pk, _cents in streamed] == sorted([org.branch.pk, org.other_branch.pk])
    expected = assessment_selectors.score_values(YEAR)
    for pk, cents in streamed:
        as_codes: dict[str, dict[int, Decimal]] = {}
        for slot, value in cents.items():
            indicator_id, quarter = divmod(slot, assessment_selectors.SLOTS)
            as_codes.setdefault(code[indicator_id], {})[quarter] = Decimal(value) / 100
        assert as_codes == expected[pk]
    b1 = next(i for i, c in code.items() if c == "B1")
    assert dict(streamed)[org.branch.pk][assessment_selectors.score_slot(b1, 1)] == 475  # 6 - 1.25


def test_quarter_compute_writes_the_same_scores_fresh_and_again(org):
    """The first computation of a quarter copies its rows in; a re-run upserts them: the same rows."""
    from assessment.services.checks import quarter_compute

    quarter_compute(year=YEAR, quarter=1, today=date(YEAR + 1, 1, 5))
    first = sorted(Score.objects.values_list("branch_id", "indicator_id", "quarter", "computed", "computed_note"))
    assert first
    quarter_compute(year=YEAR, quarter=1, today=date(YEAR + 1, 1, 5))
    again = sorted(Score.objects.values_list("branch_id", "indicator_id", "quarter", "computed", "computed_note"))
    assert again == first


def test_session_settings_last_for_the_block_and_are_restored(db):
    """The export's settings hold while it runs, outside a transaction, and are undone after it,
    failing or not: a worker's connection serves other tasks next."""

    def work_mem():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('work_mem')")
            return cursor.fetchone()[0]

    before = work_mem()
    with bulk.session_settings({"work_mem": "17MB"}):
        assert work_mem() == "17MB"
    assert work_mem() == before
    with pytest.raises(RuntimeError), bulk.session_settings({"work_mem": "18MB"}):
        assert work_mem() == "18MB"
        raise RuntimeError
    assert work_mem() == before
    # A statement that fails inside a transaction: its error comes out, not the restoring's, and the
    # rollback undoes the settings.
    from django.db import ProgrammingError, transaction

    with pytest.raises(ProgrammingError, match="no_such_table"), transaction.atomic():
        with bulk.session_settings({"work_mem": "19MB"}), connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")
    assert work_mem() == before


def test_collector_paused_nests_and_comes_back_after_a_failure():
    import gc

    assert gc.isenabled()
    with bulk.collector_paused():
        assert not gc.isenabled()
        with bulk.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not switch it back on
    assert gc.isenabled()
    with pytest.raises(RuntimeError), bulk.collector_paused():
        raise RuntimeError
    assert gc.isenabled()


def test_the_rating_jobs_build_their_rows_with_the_collector_paused(org, monkeypatch):
    import gc

    from assessment.services import checks, ratings

    seen = []
    facts, numbers = checks.meeting_facts, ratings.rating.branch_numbers
    monkeypatch.setattr(checks, "meeting_facts", lambda *a, **k: seen.append(gc.isenabled()) or facts(*a, **k))
    monkeypatch.setattr(ratings.rating, "branch_numbers", lambda *a: seen.append(gc.isenabled()) or numbers(*a))
    ratings.year_propose(year=YEAR, today=date(YEAR + 1, 1, 15))
    assert seen and not any(seen)
    assert gc.isenabled()


def test_plain_rows_gives_what_the_queryset_gives(org):
    make_member(org.branch, joined_on=date(2020, 7, 1), full_on=date(2021, 7, 1))
    qs = Member.objects.order_by("pk").values_list("pk", "name", "joined_on", "branch_id")
    assert list(bulk.plain_rows(qs)) == list(qs)


def test_among_filters_as_the_list_would(org):
    kept = make_unit(OrgUnit.Kind.GROUP, parent=org.branch)
    ids = [org.branch.pk, kept.pk, 10**9]
    assert set(OrgUnit.objects.filter(pk__in=bulk.among(ids)).values_list("pk", flat=True)) == {org.branch.pk, kept.pk}
    assert not OrgUnit.objects.filter(pk__in=bulk.among([])).exists()
