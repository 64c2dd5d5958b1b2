"""Peer appraisal anonymity, proved from the outside: everything the branch's secretary, the general
branch's secretary and the committee can fetch reads the same whoever voted and however they voted.

The pages, the exports (roster, year-end workbook), the htmx partials, every participant's records
and the home page are fetched before and after one member votes, while voting is open and after the
round has closed; the only thing allowed to change is the number of ballots cast. After close, two
worlds that differ only in who voted, or only in how one voter graded everyone, publish the same
thing. See docs/features/appraisal-anonymity.md.
"""

import io
import re

import openpyxl
import pytest
from django.apps import apps
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from activities.models import AppraisalEntry, PeerBallot
from activities.pledges import rules, services
from assessment.models import ExportJob
from branches.models import UnitRole
from tests.factories import grant, make_member, member_with_login

YEAR = timezone.localdate().year
NAMES = ["李娜", "王强", "赵敏", "陈静", "刘洋"]


@pytest.fixture
def people(org):
    """Six participants with logins (张伟 of the org fixture and five more); 陈静 is also the branch's
    secretary, so she reads both the member's and the manager's pages."""
    members = {"张伟": (org.member, org.member_user)}
    for i, name in enumerate(NAMES):
        member = make_member(org.branch, name=name, group=org.group if i % 2 else None)
        members[name] = (member, member_with_login(member, f"p{i}"))
    grant(members["陈静"][1], org.branch, UnitRole.Role.BRANCH_SECRETARY)
    return members


@pytest.fixture
def appraisal(org, people):
    return services.appraisal_open(branch=org.branch, year=YEAR, by=org.secretary)


def _ballot(appraisal, voter, grade="competent"):
    return {e.member_id: grade for e in appraisal.entries.exclude(member=voter)}


def _normalise(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    # The pledge wall prints the time it was drawn: a clock, not data.
    return re.sub(r"更新于 \d{4}-\d\d-\d\d \d\d:\d\d", "更新于 …", html)


def _cells(content: bytes) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _urls(org, appraisal, people) -> list[str]:
    pk = appraisal.pk
    urls = [
        reverse("home"),
        reverse("pledges:appraisals"),
        reverse("pledges:appraisal_detail", args=[pk]),
        reverse("pledges:appraisal_manage", args=[pk]),
        reverse("pledges:index"),
        reverse("pledges:board", args=[org.branch.pk, YEAR]),
        reverse("pledges:note_grid", args=[org.branch.pk, YEAR]),
        reverse("pledges:notes"),
        reverse("branches:detail", args=[org.branch.pk]),
        reverse("branches:tree"),
        reverse("members:list") + f"?unit={org.branch.pk}",
        reverse("members:probationary"),
        reverse("activities:index"),
    ]
    for member, _user in people.values():
        urls += [reverse("pledges:record", args=[member.pk]), reverse("members:detail", args=[member.pk])]
    return urls


def everything(client, org, appraisal, people, *, yearbook: bool) -> dict:
    """Every page, partial and export the client's user can fetch about the round."""
    seen = {}
    for url in _urls(org, appraisal, people):
        response = client.get(url)
        if response.status_code == 302:
            seen[url] = ("redirect", response.url)
        else:
            seen[url] = (response.status_code, _normalise(response.content.decode()))
    export = client.get(reverse("members:roster_export"))
    seen["roster export"] = (export.status_code, _cells(_body(export)) if export.status_code == 200 else None)
    if yearbook:
        seen["yearbook"] = (200, _yearbook(client, org))
    return seen


def _yearbook(client, org) -> dict:
    """The year-end workbook (党员评议 sheet included), built by its job, then the job forgotten so
    the next fetch sees the same export page."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = client.post(reverse("yearbook:start"), {"year": YEAR, "unit": ""})
    assert started.status_code == 302, started
    job = ExportJob.objects.latest("pk")
    download = client.get(reverse("yearbook:download", args=[job.pk]))
    assert download.status_code == 200
    cells = _cells(_body(download))
    for job in ExportJob.objects.all():
        job.file.delete(save=False)
    ExportJob.objects.all().delete()
    return cells


def _viewers(org, people):
    """Who may look: the branch secretary (no member record), the one who is also a participant,
    the general-branch secretary above, and the committee."""
    return {
        "secretary": (org.secretary, False),
        "secretary who takes part": (people["陈静"][1], False),
        "general secretary": (org.general_secretary, False),
        "committee": (org.committee_user, True),
    }


def _ballots_line(n: int) -> str:
    return f"已收互评票 {n} 张"


def test_while_voting_nothing_but_the_ballot_count_changes_when_a_member_votes(org, appraisal, people, client):
    # Some ballots are in already, so "the one who has not voted yet" is not everyone.
    for name in ("李娜", "王强"):
        member = people[name][0]
        services.appraisal_ballot_cast(appraisal=appraisal, grader=member, grades=_ballot(appraisal, member))
    viewers = _viewers(org, people)
    before = {}
    for label, (user, yearbook) in viewers.items():
        client.force_login(user)
        before[label] = everything(client, org, appraisal, people, yearbook=yearbook)

    # 张伟 votes through the page, with grades that differ from member to member.
    voter, voter_user = people["张伟"]
    grades = {"李娜": "excellent", "王强": "incompetent", "赵敏": "basic", "陈静": "competent", "刘洋": "excellent"}
    client.force_login(voter_user)
    data = {f"peer_{people[name][0].pk}": grade for name, grade in grades.items()}
    # follow: the voter reads their own confirmation, so it does not wait in this client for the next user.
    voted = client.post(reverse("pledges:appraisal_ballot", args=[appraisal.pk]), data, follow=True)
    assert "互评票已提交" in voted.content.decode()
    assert PeerBallot.objects.filter(appraisal=appraisal).count() == 3

    for label, (user, yearbook) in viewers.items():
        client.force_login(user)
        after = everything(client, org, appraisal, people, yearbook=yearbook)
        assert after.keys() == before[label].keys()
        for url, seen in before[label].items():
            expected = seen
            if isinstance(seen[1], str) and _ballots_line(2) in seen[1]:
                # The one thing allowed to move: how many ballots are in.
                expected = (seen[0], seen[1].replace(_ballots_line(2), _ballots_line(3)))
            assert after[url] == expected, f"{label} sees a difference at {url}"
        manage = after[reverse("pledges:appraisal_manage", args=[appraisal.pk])]
        if manage[0] == 200:
            assert _ballots_line(3) in manage[1]


def test_no_audit_history_names_the_voter_or_their_grades(org, appraisal, people, client):
    voter, voter_user = people["张伟"]
    history_models = [m for m in apps.get_models() if m.__name__.startswith("Historical")]
    assert history_models, "simple-history models expected"
    assert not any("appraisal" in m.__name__.lower() or "ballot" in m.__name__.lower() for m in history_models)

    def rows_by(user):
        return sum(m.objects.filter(history_user=user).count() for m in history_models)

    before = rows_by(voter_user)
    client.force_login(voter_user)
    data = {f"peer_{e.member_id}": "excellent" for e in appraisal.entries.exclude(member=voter)}
    assert client.post(reverse("pledges:appraisal_ballot", args=[appraisal.pk]), data).status_code == 302
    assert rows_by(voter_user) == before
    # The ballot row says that 张伟 voted; nothing in it says how, or when.
    assert {f.name for f in PeerBallot._meta.get_fields()} == {"id", "appraisal", "grader"}
    assert not any(f.name in ("grader", "voter", "cast_on") for f in AppraisalEntry._meta.get_fields())


def _close(appraisal, voters, grades_of):
    """Let `voters` vote (grades_of(voter) → {member id: grade}), end voting, decide 合格 for all, close."""
    for voter in voters:
        services.appraisal_ballot_cast(appraisal=appraisal, grader=voter, grades=grades_of(voter))
    services.appraisal_end_voting(appraisal=appraisal)
    services.appraisal_decide(appraisal=appraisal, decisions={e.pk: ("competent", "") for e in appraisal.entries.all()})
    services.appraisal_close(appraisal=appraisal)


def _world(client, org, appraisal, people, make_world) -> dict:
    """Build one world inside a savepoint, fetch everything as the branch secretary and the committee
    (the others see less of the same), then roll it back."""
    seen = {}
    viewers = {k: v for k, v in _viewers(org, people).items() if k in ("secretary", "committee")}
    with transaction.atomic():
        make_world()
        for label, (user, yearbook) in viewers.items():
            client.force_login(user)
            seen[label] = everything(client, org, appraisal, people, yearbook=yearbook)
        transaction.set_rollback(True)
    return seen


def test_after_close_nothing_tells_who_voted(org, appraisal, people, client):
    """Five of six vote. Whether the one who did not is 赵敏 or 刘洋, everyone sees the same pages:
    with counts, each of them would have one vote more than the others."""
    members = {name: m for name, (m, _u) in people.items()}

    def everyone_but(name):
        voters = [m for n, m in members.items() if n != name]
        return lambda: _close(appraisal, voters, lambda v: _ballot(appraisal, v))

    first = _world(client, org, appraisal, people, everyone_but("赵敏"))
    second = _world(client, org, appraisal, people, everyone_but("刘洋"))
    assert first == second
    manage = first["secretary"][reverse("pledges:appraisal_manage", args=[appraisal.pk])][1]
    assert "互评多数等次</th>" in manage and _ballots_line(5) in manage


def test_after_close_nothing_tells_how_a_voter_graded(org, appraisal, people, client):
    """张伟 grades everyone 优秀, or everyone 不合格: with four others grading 合格, the published
    results are the same, so nothing published can be turned back into his ballot."""
    members = {name: m for name, (m, _u) in people.items()}
    voters = [members[n] for n in ("张伟", "李娜", "王强", "赵敏", "陈静")]

    def zhang_gives(grade):
        def grades_of(voter):
            return _ballot(appraisal, voter, grade if voter == members["张伟"] else "competent")

        return lambda: _close(appraisal, voters, grades_of)

    generous = _world(client, org, appraisal, people, zhang_gives("excellent"))
    harsh = _world(client, org, appraisal, people, zhang_gives("incompetent"))
    assert generous == harsh


def test_with_few_ballots_no_result_per_member_is_published(org, appraisal, people, client):
    few = [people[n][0] for n in ("张伟", "李娜", "王强", "赵敏")]
    assert len(few) < rules.RESULTS_MIN_BALLOTS
    _close(appraisal, few, lambda v: _ballot(appraisal, v, "excellent"))
    client.force_login(org.secretary)
    page = client.get(reverse("pledges:appraisal_manage", args=[appraisal.pk])).content.decode()
    assert "互评多数等次</th>" not in page and "不公布每名党员的互评结果" in page
