"""The demo organisation: stable, valid, one login per role, and a case for every warning."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from branches import rules
from branches.models import OrgUnit, UnitRole
from demo import org as demo
from members import idcard
from members.idcard import gender_of
from members.models import Member, Membership, Transfer


def seed(today=None):
    out = StringIO()
    call_command("seed_demo", stdout=out, **({"today": today} if today else {}))
    return out.getvalue()


def snapshot():
    """Everything the demo writes, including the audit history, so a re-run that saves anything shows."""
    User = get_user_model()
    return {
        "units": list(OrgUnit.objects.values_list("code", "path", "name", "kind", "elected_on", "departments")),
        "members": list(
            Member.objects.order_by("pk").values_list(
                "id_number", "name", "branch__code", "group__code", "category", "status", "committee_post", "user_id"
            )
        ),
        "memberships": Membership.objects.count(),
        "transfers": Transfer.objects.count(),
        "roles": UnitRole.objects.count(),
        "users": list(User.objects.order_by("username").values_list("username", "password", "is_superuser")),
        "unit_history": OrgUnit.history.count(),
        "member_history": Member.history.count(),
    }


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """seed_demo's output. The demo is seeded once for this module's tests, not once per test.

    It is written inside a transaction that is rolled back after the module's last test, so the tests
    of other modules start from an empty database. Each test here runs in a savepoint of its own
    (django_db): what one test changes (a login, a second seed) is gone for the next.
    The transaction stays open until the module ends, so every test of this module sees the demo, and
    none may be transactional (django_db(transaction=True)).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        output = seed()
        # The foreign keys are checked now, as a commit would; otherwise every test's savepoint checks
        # the whole demo's deferred constraints again at its end.
        connection.check_constraints()
        yield output
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_running_twice_changes_nothing(demo_output):
    first = snapshot()
    seed()
    assert snapshot() == first
    assert len(first["members"]) == 250
    assert Counter(kind for _, _, _, kind, _, _ in first["units"]) == {
        "committee": 1,
        "general_branch": 2,
        "branch": 12,
        "group": 15,
    }


@pytest.mark.django_db
def test_every_id_number_is_valid_and_matches_birth_date_and_gender(demo_output):
    members = list(Member.objects.all())
    for member in members:
        assert idcard.id_number_errors(member.id_number, member.birth_date) == [], member.name
        assert gender_of(member.id_number) == member.gender, member.name
    assert len({m.name for m in members}) == len(members)
    assert not {m.name for m in members} & demo.FAMOUS_NAMES


@pytest.mark.django_db
def test_each_demo_login_signs_in_with_its_role(client, demo_output):
    output = demo_output
    expected = {
        "jgdw": (UnitRole.Role.COMMITTEE_STAFF, demo.COMMITTEE_CODE),
        "zongzhi": (UnitRole.Role.GENERAL_SECRETARY, demo.DEMO_GENERAL_BRANCH),
        "shuji": (UnitRole.Role.BRANCH_SECRETARY, demo.DEMO_BRANCH),
        "zuzhang": (UnitRole.Role.GROUP_LEADER, f"{demo.DEMO_BRANCH}-1"),
    }
    for username, (role, code) in expected.items():
        assert list(UnitRole.objects.filter(user__username=username).values_list("role", "unit__code")) == [
            (role, code)
        ]
    member = Member.objects.get(user__username="dangyuan")
    assert member.branch.code == demo.DEMO_BRANCH and not UnitRole.objects.filter(user=member.user).exists()
    assert Member.objects.get(user__username="shuji").committee_post == "书记"
    assert get_user_model().objects.get(username="admin").is_superuser

    for username in [*expected, "dangyuan", "admin"]:
        assert username in output
        response = client.post("/accounts/login/", {"username": username, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert response.url == "/"
        client.post("/accounts/logout/")
    assert demo.DEMO_PASSWORD in output


@pytest.mark.django_db
def test_the_demo_has_a_case_for_every_warning(demo_output):
    today = timezone.localdate()
    branches = {unit.code: unit for unit in OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH)}
    warnings = {}
    for code, branch in branches.items():
        roster = Member.objects.filter(branch=branch)
        full = roster.filter(category=Member.Category.FULL).count()
        committee = roster.exclude(committee_post="").count()
        warnings[code] = rules.size_warnings(rules.BRANCH, full, roster.count(), committee)
    assert any("不足3人" in w for w in warnings[demo.TOO_SMALL_BRANCH])
    assert any("超过50人" in w for w in warnings[demo.TOO_LARGE_BRANCH])

    levels = {code: branch.term_status(today).level for code, branch in branches.items()}
    assert levels[demo.TERM_DUE_BRANCH] == "due"
    assert levels[demo.TERM_EXPIRED_BRANCH] == "expired"
    assert Counter(levels.values()) == {"ok": 10, "due": 1, "expired": 1}

    with_cadre = set(Member.objects.filter(is_party_cadre=True).values_list("branch__code", flat=True))
    assert set(branches) - with_cadre == {demo.NO_CADRE_BRANCH}

    probationary = Member.objects.filter(category=Member.Category.PROBATIONARY)
    assert any(m.probation_due < today for m in probationary)  # 转正 overdue
    assert any(m.probation_extended_until for m in probationary)
    assert sum(m.joined_on > today.replace(year=today.year - 1) for m in probationary) >= 5
    assert not probationary.exclude(committee_post="").exists()

    retired = Member.objects.filter(status=Member.Status.RETIRED)
    assert retired.filter(counts_when_retired=True).exists() and retired.filter(counts_when_retired=False).exists()
    assert Member.objects.filter(status=Member.Status.AWAY).exists()


@pytest.mark.django_db
def test_past_transfers_keep_the_old_branch_in_the_history(demo_output):
    today = timezone.localdate()
    transfers = list(Transfer.objects.select_related("member"))
    assert len(transfers) == len(demo.TRANSFERS)
    for transfer in transfers:
        assert transfer.transferred_on < today
        spans = list(
            transfer.member.memberships.order_by(F("start").asc(nulls_first=True)).values_list("branch_id", "end")
        )
        assert spans[0] == (transfer.from_branch_id, transfer.transferred_on - timedelta(days=1))
        assert spans[1] == (transfer.to_branch_id, None)
        assert transfer.member.branch_id == transfer.to_branch_id


def test_the_plan_is_stable_and_follows_the_committee_rules():
    today = timezone.localdate()
    plan = demo.plan_roster(today)
    assert [m.fields for m in plan] == [m.fields for m in demo.plan_roster(today)]
    by_branch = {}
    for member in plan:
        by_branch.setdefault(member.branch, []).append(member)
    for code, members in by_branch.items():
        full = [m for m in members if m.fields["category"] == Member.Category.FULL]
        posts = [m.committee_post for m in members if m.committee_post]
        assert posts.count("书记") == 1, code
        if len(full) >= 7:
            assert 3 <= len(posts) <= 5, code
        else:
            assert posts == ["书记"], code
        for member in members:
            if member.fields["category"] == Member.Category.FULL:
                assert member.fields["joined_on"] < member.fields["full_on"] < today
                assert (member.fields["joined_on"] - member.fields["birth_date"]).days > 18 * 365


@pytest.mark.django_db
def test_each_demo_login_sees_its_part_of_the_roster(demo_output):
    User = get_user_model()

    def visible(username):
        return Member.objects.visible_to(User.objects.get(username=username))

    general = OrgUnit.objects.get(code=demo.DEMO_GENERAL_BRANCH)
    # jgdw is committee staff *and* a member: the member record must not narrow the committee's view.
    assert visible("jgdw").count() == 250
    assert visible("admin").count() == 250
    assert visible("zongzhi").count() == Member.objects.filter(branch__path__startswith=general.path).count()
    assert set(visible("shuji").values_list("branch__code", flat=True)) == {demo.DEMO_BRANCH}
    assert visible("shuji").count() == Member.objects.filter(branch__code=demo.DEMO_BRANCH).count()
    assert list(visible("dangyuan")) == [Member.objects.get(user__username="dangyuan")]
