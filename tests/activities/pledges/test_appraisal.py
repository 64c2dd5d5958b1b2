"""Democratic appraisal (民主评议党员): the one-third warning, closing freezes it, and anonymity."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Appraisal, AppraisalEntry, PeerBallot
from activities.pledges import rules, selectors, services
from members.models import Member
from tests.factories import make_member, member_with_login

YEAR = timezone.localdate().year


@pytest.fixture
def people(org):
    """Three more members of the branch with logins; one probationary."""
    b = make_member(org.branch, name="李娜")
    c = make_member(org.branch, name="王强")
    d = make_member(org.branch, name="赵敏", category=Member.Category.PROBATIONARY, full_on=None)
    return {
        "a": (org.member, org.member_user),
        "b": (b, member_with_login(b, "lina")),
        "c": (c, member_with_login(c, "wangqiang")),
        "d": (d, member_with_login(d, "zhaomin")),
    }


@pytest.fixture
def appraisal(org, people):
    return services.appraisal_open(branch=org.branch, year=YEAR, by=org.secretary)


def entry_of(appraisal, member):
    return AppraisalEntry.objects.get(appraisal=appraisal, member=member)


def grades_for(appraisal, grader, grade="competent", **special):
    """A full ballot: every other participant gets `grade`, except those named in `special` (member → grade)."""
    ballot = {e.member_id: grade for e in appraisal.entries.exclude(member=grader)}
    ballot.update({m.pk: g for m, g in special.get("special", {}).items()})
    return ballot


def decide_all(appraisal, grade_of):
    if appraisal.entries.model.objects.filter(appraisal=appraisal, appraisal__status="open").exists():
        services.appraisal_end_voting(appraisal=appraisal)
        appraisal.refresh_from_db()
    decisions = {e.pk: (grade_of(e), "") for e in appraisal.entries.all()}
    return services.appraisal_decide(appraisal=appraisal, decisions=decisions)


# --- opening -----------------------------------------------------------------------------------------


def test_opening_lists_the_branch_and_marks_probationary_members(appraisal, people):
    entries = {e.member.name: e for e in appraisal.entries.select_related("member")}
    assert set(entries) == {"张伟", "李娜", "王强", "赵敏"}
    assert entries["赵敏"].is_probationary and not entries["李娜"].is_probationary


def test_one_yearly_round_per_branch(org, appraisal):
    with pytest.raises(ValidationError, match="已开展"):
        services.appraisal_open(branch=org.branch, year=YEAR)
    quarterly = services.appraisal_open(branch=org.branch, year=YEAR, quarter=1)
    assert quarterly.label.endswith("第1季度民主评议")


def test_secretary_opens_through_the_page(org, people, login):
    response = login(org.secretary).post(
        reverse("pledges:appraisal_open"), {"branch": org.branch.pk, "year": YEAR, "quarter": ""}
    )
    appraisal = Appraisal.objects.get()
    assert response.url == reverse("pledges:appraisal_manage", args=[appraisal.pk])


# --- ballots -----------------------------------------------------------------------------------------


def test_ballots_only_add_to_totals(appraisal, people):
    a, b, c = people["a"][0], people["b"][0], people["c"][0]
    services.appraisal_ballot_cast(
        appraisal=appraisal, grader=b, grades=grades_for(appraisal, b, special={a: "excellent"})
    )
    services.appraisal_ballot_cast(appraisal=appraisal, grader=c, grades=grades_for(appraisal, c, special={a: "basic"}))
    assert entry_of(appraisal, a).votes == {"excellent": 1, "competent": 0, "basic": 1, "incompetent": 0}
    assert entry_of(appraisal, b).votes["competent"] == 1  # from c


def test_nothing_stored_ties_a_grader_to_a_grade(appraisal, people):
    # The ballot row knows who voted and nothing of how; the entry knows how many, not who.
    assert {f.name for f in PeerBallot._meta.get_fields()} == {"id", "appraisal", "grader"}
    entry_fields = {f.name for f in AppraisalEntry._meta.get_fields()}
    assert not any("grader" in name or "voter" in name for name in entry_fields)


def test_a_ballot_is_cast_once_complete_and_never_for_oneself(appraisal, people):
    b = people["b"][0]
    with pytest.raises(ValidationError, match="未评定等次"):
        services.appraisal_ballot_cast(appraisal=appraisal, grader=b, grades={people["a"][0].pk: "competent"})
    with pytest.raises(ValidationError, match="不能给自己"):
        services.appraisal_ballot_cast(
            appraisal=appraisal, grader=b, grades={**grades_for(appraisal, b), b.pk: "excellent"}
        )
    services.appraisal_ballot_cast(appraisal=appraisal, grader=b, grades=grades_for(appraisal, b))
    with pytest.raises(ValidationError, match="已提交过"):
        services.appraisal_ballot_cast(appraisal=appraisal, grader=b, grades=grades_for(appraisal, b))
    assert sum(e.votes_total for e in appraisal.entries.all()) == 3


def test_member_votes_through_the_page(appraisal, people, login):
    a, a_user = people["a"]
    data = {f"peer_{e.member_id}": "competent" for e in appraisal.entries.exclude(member=a)}
    client = login(a_user)
    response = client.post(reverse("pledges:appraisal_ballot", args=[appraisal.pk]), data)
    assert response.status_code == 302
    assert PeerBallot.objects.filter(grader=a).exists()
    page = client.get(reverse("pledges:appraisal_detail", args=[appraisal.pk])).content.decode()
    assert "您已提交互评票" in page


def test_an_incomplete_ballot_says_what_is_missing(appraisal, people, login):
    a, a_user = people["a"]
    response = login(a_user).post(
        reverse("pledges:appraisal_ballot", args=[appraisal.pk]), {f"peer_{people['b'][0].pk}": "competent"}
    )
    assert response.status_code == 200
    assert "请评定等次" in response.content.decode()
    assert not PeerBallot.objects.exists()


# --- anonymity, seen from every page a member can open ------------------------------------------------


def _strip_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _member_pages(appraisal, member):
    return [
        reverse("pledges:appraisals"),
        reverse("pledges:appraisal_detail", args=[appraisal.pk]),
        reverse("pledges:record", args=[member.pk]),
        reverse("pledges:index"),
        reverse("pledges:notes"),
        reverse("pledges:board", args=[appraisal.branch_id, YEAR]),
    ]


def test_a_member_learns_nothing_from_how_others_graded_them(appraisal, people, login):
    """Every page the member can open reads the same before and after the others vote on them."""
    a, a_user = people["a"]
    client = login(a_user)
    before = {url: _strip_tokens(client.get(url).content.decode()) for url in _member_pages(appraisal, a)}
    b, c = people["b"][0], people["c"][0]
    services.appraisal_ballot_cast(
        appraisal=appraisal, grader=b, grades=grades_for(appraisal, b, special={a: "excellent"})
    )
    services.appraisal_ballot_cast(
        appraisal=appraisal, grader=c, grades=grades_for(appraisal, c, special={a: "incompetent"})
    )
    for url, html in before.items():
        assert _strip_tokens(client.get(url).content.decode()) == html, url


def test_members_never_open_the_totals(appraisal, people, login):
    client = login(people["a"][1])
    assert client.get(reverse("pledges:appraisal_manage", args=[appraisal.pk])).status_code == 404
    assert client.post(reverse("pledges:appraisal_close", args=[appraisal.pk])).status_code == 404
    assert list(PeerBallot.objects.visible_to(people["a"][1])) == []


def test_after_close_a_member_sees_their_grade_and_no_votes(appraisal, people, login):
    a, a_user = people["a"]
    b = people["b"][0]
    services.appraisal_ballot_cast(appraisal=appraisal, grader=b, grades=grades_for(appraisal, b))
    decide_all(appraisal, lambda e: "excellent" if e.member_id == a.pk else "competent")
    appraisal.refresh_from_db()
    services.appraisal_decide(appraisal=appraisal, decisions={entry_of(appraisal, a).pk: ("excellent", "办案质效突出")})
    services.appraisal_close(appraisal=appraisal)
    client = login(a_user)
    page = client.get(reverse("pledges:appraisal_detail", args=[appraisal.pk])).content.decode()
    assert "优秀" in page and "办案质效突出" in page
    for other in ("李娜", "王强", "赵敏"):
        assert other not in page
    record = client.get(reverse("pledges:record", args=[a.pk])).content.decode()
    assert "办案质效突出" in record
    assert "得票" not in record and "合格票" not in record


def test_the_branch_sees_a_count_of_ballots_and_nothing_per_member_while_voting(org, appraisal, people, login):
    b = people["b"][0]
    services.appraisal_ballot_cast(appraisal=appraisal, grader=b, grades=grades_for(appraisal, b))
    services.appraisal_self_submit(entry=entry_of(appraisal, b), text="认真学习")
    page = login(org.secretary).get(reverse("pledges:appraisal_manage", args=[appraisal.pk])).content.decode()
    assert "已收互评票 1 张" in page and "已提交自我评价 1 人" in page
    assert "认真学习" not in page and "互评多数等次</th>" not in page and "保存评议意见和等次" not in page
    assert list(PeerBallot.objects.visible_to(org.secretary)) == []


def test_ending_the_vote_stops_ballots_for_good_and_opens_the_decision(org, appraisal, people, login):
    client = login(org.secretary)
    response = client.post(reverse("pledges:appraisal_end_voting", args=[appraisal.pk]), follow=True)
    assert "互评投票已结束" in response.content.decode()
    b = people["b"][0]
    with pytest.raises(ValidationError, match=rules.VOTING_ENDED_ERROR):
        services.appraisal_ballot_cast(appraisal=appraisal, grader=b, grades=grades_for(appraisal, b))
    with pytest.raises(ValidationError, match=rules.VOTING_ENDED_ERROR):
        services.appraisal_end_voting(appraisal=appraisal)
    page = client.get(reverse("pledges:appraisal_manage", args=[appraisal.pk])).content.decode()
    assert "保存评议意见和等次" in page and "结束投票" not in page
    # A member may still write their self-appraisal, not vote.
    detail = login(people["b"][1]).get(reverse("pledges:appraisal_detail", args=[appraisal.pk])).content.decode()
    assert "self_text" in detail and "/ballot/" not in detail and "互评投票已截止" in detail


def test_grades_wait_for_the_end_of_voting(org, appraisal, people, login):
    entry = entry_of(appraisal, people["a"][0])
    with pytest.raises(ValidationError, match="尚未截止"):
        services.appraisal_decide(appraisal=appraisal, decisions={entry.pk: ("competent", "")})
    with pytest.raises(ValidationError, match="尚未截止"):
        services.appraisal_close(appraisal=appraisal)
    response = login(org.secretary).post(
        reverse("pledges:appraisal_manage", args=[appraisal.pk]),
        {f"e{entry.pk}-final_grade": "excellent", f"e{entry.pk}-comment": "x"},
    )
    assert response.status_code == 200 and "尚未截止" in response.content.decode()
    entry.refresh_from_db()
    assert entry.final_grade == ""


def test_after_voting_the_branch_sees_majority_grades_never_counts(org, appraisal, people, login):
    extra = [make_member(org.branch, name=f"补{i}") for i in range(2)]
    appraisal = services.appraisal_open(branch=org.branch, year=YEAR, quarter=4)
    voters = [people[k][0] for k in "abcd"] + extra[:1]
    for voter in voters:
        special = {people["a"][0]: "excellent"} if voter != people["a"][0] else {}
        services.appraisal_ballot_cast(
            appraisal=appraisal, grader=voter, grades=grades_for(appraisal, voter, special=special)
        )
    services.appraisal_end_voting(appraisal=appraisal)
    page = login(org.secretary).get(reverse("pledges:appraisal_manage", args=[appraisal.pk])).content.decode()
    assert "互评多数等次</th>" in page and "已收互评票 5 张" in page
    row = re.search(r"张伟.*?</tr>", page, re.S).group(0)
    assert "优秀" in row
    # No count of votes anywhere: no cell holds a bare number.
    assert not re.search(r'<td class="text-center">\d+</td>', page)


# --- the branch decides; one third; closing --------------------------------------------------------------


def test_more_than_a_third_excellent_warns_but_saves(org, appraisal, people, login):
    services.appraisal_end_voting(appraisal=appraisal)
    entries = list(appraisal.entries.order_by("pk"))
    data = {}
    for i, e in enumerate(entries):
        data[f"e{e.pk}-final_grade"] = "excellent" if i < 2 else "competent"
        data[f"e{e.pk}-comment"] = ""
    response = login(org.secretary).post(reverse("pledges:appraisal_manage", args=[appraisal.pk]), data, follow=True)
    assert "超过已评定 4 人的三分之一" in response.content.decode()
    assert AppraisalEntry.objects.filter(final_grade="excellent").count() == 2


def test_a_third_exactly_does_not_warn(appraisal):
    services.appraisal_end_voting(appraisal=appraisal)
    entries = list(appraisal.entries.order_by("pk"))
    warning = services.appraisal_decide(
        appraisal=appraisal,
        decisions={e.pk: ("excellent" if i == 0 else "competent", "") for i, e in enumerate(entries[:3])},
    )
    assert warning is None


def test_close_needs_every_grade(appraisal, people):
    services.appraisal_end_voting(appraisal=appraisal)
    with pytest.raises(ValidationError, match="尚未确定评议等次"):
        services.appraisal_close(appraisal=appraisal)
    assert Appraisal.objects.get().is_deciding


def test_closing_freezes_everything(org, appraisal, people, login):
    decide_all(appraisal, lambda e: "competent")
    services.appraisal_close(appraisal=appraisal, by=org.secretary)
    a, b = people["a"][0], people["b"][0]
    entry = entry_of(appraisal, a)
    for attempt in (
        lambda: services.appraisal_self_submit(entry=entry, text="补写"),
        lambda: services.appraisal_ballot_cast(appraisal=appraisal, grader=b, grades=grades_for(appraisal, b)),
        lambda: services.appraisal_decide(appraisal=appraisal, decisions={entry.pk: ("excellent", "改")}),
        lambda: services.appraisal_end_voting(appraisal=appraisal),
        lambda: services.appraisal_close(appraisal=appraisal),
    ):
        with pytest.raises(ValidationError, match=rules.CLOSED_ERROR):
            attempt()
    # Through the pages too: nothing changes and the page says why.
    client = login(org.secretary)
    response = client.post(
        reverse("pledges:appraisal_manage", args=[appraisal.pk]),
        {f"e{entry.pk}-final_grade": "excellent", f"e{entry.pk}-comment": "x"},
    )
    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.final_grade, entry.branch_comment) == ("competent", "")
    assert sum(e.votes_total for e in appraisal.entries.all()) == 0
    html = client.get(reverse("pledges:appraisal_manage", args=[appraisal.pk])).content.decode()
    assert "保存评议意见和等次" not in html and "结束评议" not in html and "结束投票" not in html


# --- scoping -------------------------------------------------------------------------------------------


def test_outsiders_and_non_participants_get_404(org, appraisal, people, login):
    urls_get = [
        reverse("pledges:appraisal_detail", args=[appraisal.pk]),
        reverse("pledges:appraisal_manage", args=[appraisal.pk]),
    ]
    urls_post = [
        reverse("pledges:appraisal_self", args=[appraisal.pk]),
        reverse("pledges:appraisal_ballot", args=[appraisal.pk]),
        reverse("pledges:appraisal_close", args=[appraisal.pk]),
        reverse("pledges:appraisal_end_voting", args=[appraisal.pk]),
    ]
    newcomer = make_member(org.other_branch, name="外来党员")
    for user in (org.outsider, member_with_login(newcomer, "newcomer"), org.group_leader):
        client = login(user)
        for url in urls_get:
            assert client.get(url).status_code == 404, (user, url)
        for url in urls_post:
            assert client.post(url, {"self_text": "x"}).status_code == 404, (user, url)
        assert appraisal.label not in client.get(reverse("pledges:appraisals")).content.decode()


def test_managers_above_see_the_round(org, appraisal, login):
    for user in (org.general_secretary, org.committee_user):
        assert login(user).get(reverse("pledges:appraisal_manage", args=[appraisal.pk])).status_code == 200


def test_manage_page_queries_do_not_grow_with_members(org, login, django_assert_max_num_queries):
    small = services.appraisal_open(branch=org.branch, year=YEAR)
    client = login(org.secretary)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("pledges:appraisal_manage", args=[small.pk])).status_code == 200
    for _ in range(10):
        make_member(org.branch)
    big = services.appraisal_open(branch=org.branch, year=YEAR, quarter=2)
    assert big.entries.count() == 11
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse("pledges:appraisal_manage", args=[big.pk])).status_code == 200


def test_final_grades_for_the_workbook_come_from_closed_yearly_rounds(org, appraisal, people):
    decide_all(appraisal, lambda e: "competent")
    assert selectors.member_final_grades([org.branch.pk], YEAR) == {}
    services.appraisal_close(appraisal=appraisal)
    grades = selectors.member_final_grades([org.branch.pk], YEAR)
    assert grades[people["a"][0].pk] == "competent" and len(grades) == 4
