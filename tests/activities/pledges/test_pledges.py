"""Public pledges: writing, progress notes, the year-end rating, the board, and who sees what."""

from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from activities.models import Pledge, PledgeNote
from activities.pledges import selectors, services
from tests.factories import make_member, member_with_login

TODAY = timezone.localdate()
YEAR = TODAY.year


@pytest.fixture
def pledge(org):
    return services.pledge_create(branch=org.branch, member=org.member, year=YEAR, content="全年结案120件")


@pytest.fixture
def branch_pledge(org):
    return services.pledge_create(branch=org.branch, year=YEAR, content="创建学习型支部")


# --- services --------------------------------------------------------------------------------------


def test_member_pledges_and_the_item_shows_on_the_board(org, login):
    client = login(org.member_user)
    response = client.post(reverse("pledges:new"), {"year": YEAR, "content": "每月走访当事人两次"})
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert (pledge.member, pledge.branch, pledge.year) == (org.member, org.branch, YEAR)
    board = client.get(reverse("pledges:board", args=[org.branch.pk, YEAR]))
    assert "每月走访当事人两次" in board.content.decode()


def test_a_member_pledges_a_few_items_only(org):
    for n in range(5):
        services.pledge_create(branch=org.branch, member=org.member, year=YEAR, content=f"承诺{n}")
    with pytest.raises(ValidationError, match="最多 5 项"):
        services.pledge_create(branch=org.branch, member=org.member, year=YEAR, content="第六项")


def test_no_pledge_for_a_member_of_another_branch(org):
    stranger = make_member(org.other_branch, name="外支部党员")
    with pytest.raises(ValidationError, match="不在"):
        services.pledge_create(branch=org.branch, member=stranger, year=YEAR, content="x")


def test_no_pledge_for_a_year_long_past(org):
    with pytest.raises(ValidationError, match="承诺年度"):
        services.pledge_create(branch=org.branch, member=org.member, year=YEAR - 2, content="x")


def test_rating_freezes_the_content(org, pledge):
    services.pledge_rate_all(branch=org.branch, year=YEAR, ratings={pledge.pk: ("fulfilled", "")})
    pledge.refresh_from_db()
    with pytest.raises(ValidationError, match="已评诺"):
        services.pledge_update(pledge=pledge, content="改一改")
    with pytest.raises(ValidationError, match="已评诺"):
        services.pledge_delete(pledge=pledge)


def test_rate_all_is_all_or_nothing(org, pledge):
    foreign = services.pledge_create(branch=org.other_branch, year=YEAR, content="别人的")
    with pytest.raises(ValidationError):
        services.pledge_rate_all(
            branch=org.branch, year=YEAR, ratings={pledge.pk: ("fulfilled", ""), foreign.pk: ("fulfilled", "")}
        )
    pledge.refresh_from_db()
    assert pledge.rating == ""


def test_no_rating_of_a_year_not_begun(org):
    with pytest.raises(ValidationError, match="尚未开始"):
        services.pledge_rate_all(branch=org.branch, year=YEAR + 1, ratings={})


def test_progress_note_cannot_be_dated_in_the_future(org, pledge):
    with pytest.raises(ValidationError):
        services.pledge_note_add(pledge=pledge, text="做了", noted_on=date(YEAR + 1, 1, 1))


# --- pages -----------------------------------------------------------------------------------------


def test_member_adds_a_progress_note_to_their_pledge(org, login, pledge):
    client = login(org.member_user)
    response = client.post(
        reverse("pledges:note_add", args=[pledge.pk]), {"noted_on": TODAY.isoformat(), "text": "结案30件"}
    )
    assert response.status_code == 302
    assert PledgeNote.objects.get().text == "结案30件"
    assert "结案30件" in client.get(reverse("pledges:detail", args=[pledge.pk])).content.decode()


def test_secretary_rates_the_year_and_rates_show(org, login, pledge, branch_pledge):
    client = login(org.secretary)
    data = {
        f"p{pledge.pk}-rating": "fulfilled",
        f"p{pledge.pk}-note": "",
        f"p{branch_pledge.pk}-rating": "partial",
        f"p{branch_pledge.pk}-note": "完成一半",
    }
    response = client.post(reverse("pledges:rate", args=[org.branch.pk, YEAR]), data)
    assert response.status_code == 302
    pledge.refresh_from_db()
    branch_pledge.refresh_from_db()
    assert (pledge.rating, branch_pledge.rating, branch_pledge.rating_note) == ("fulfilled", "partial", "完成一半")
    page = client.get(reverse("pledges:rate", args=[org.branch.pk, YEAR])).content.decode()
    assert "兑现率 75%" in page  # (1 + ½) ÷ 2
    index = client.get(reverse("pledges:index") + f"?year={YEAR}").content.decode()
    assert "75%" in index


def test_a_member_cannot_rate(org, login, pledge):
    client = login(org.member_user)
    assert client.get(reverse("pledges:rate", args=[org.branch.pk, YEAR])).status_code == 404
    response = client.post(reverse("pledges:rate", args=[org.branch.pk, YEAR]), {f"p{pledge.pk}-rating": "fulfilled"})
    assert response.status_code == 404
    pledge.refresh_from_db()
    assert pledge.rating == ""


def test_another_member_of_the_branch_sees_but_cannot_change(org, login, pledge):
    colleague = make_member(org.branch, name="李娜")
    client = login(member_with_login(colleague, "lina"))
    assert client.get(reverse("pledges:detail", args=[pledge.pk])).status_code == 200
    assert client.get(reverse("pledges:board", args=[org.branch.pk, YEAR])).status_code == 200
    assert client.get(reverse("pledges:edit", args=[pledge.pk])).status_code == 404
    assert client.post(reverse("pledges:delete", args=[pledge.pk])).status_code == 404
    note = client.post(reverse("pledges:note_add", args=[pledge.pk]), {"noted_on": TODAY.isoformat(), "text": "x"})
    assert note.status_code == 404
    assert not PledgeNote.objects.exists()


def test_board_is_large_and_prints(org, login, pledge, branch_pledge):
    page = login(org.member_user).get(reverse("pledges:board", args=[org.branch.pk, YEAR]) + "?screen=1")
    html = page.content.decode()
    assert "全年结案120件" in html and "创建学习型支部" in html
    # Its own stylesheet (no inline style under the Content-Security-Policy), with print rules.
    assert "css/board.css" in html
    assert "@media print" in (settings.BASE_DIR / "static" / "css" / "board.css").read_text()
    assert 'http-equiv="refresh"' in html  # the office screen keeps itself up to date
    assert 'class="sb-toolbar' not in html  # no clutter on the screen


def test_general_secretary_and_committee_see_the_board(org, login, pledge):
    for user in (org.general_secretary, org.committee_user):
        assert login(user).get(reverse("pledges:board", args=[org.branch.pk, YEAR])).status_code == 200


@pytest.mark.parametrize("user_attr", ["outsider", "group_leader"])
def test_outsiders_get_404_everywhere(org, login, pledge, user_attr):
    client = login(getattr(org, user_attr))
    urls = [
        reverse("pledges:detail", args=[pledge.pk]),
        reverse("pledges:edit", args=[pledge.pk]),
        reverse("pledges:rate", args=[org.branch.pk, YEAR]),
        reverse("pledges:branch_new", args=[org.branch.pk]),
    ]
    if user_attr == "outsider":
        urls.append(reverse("pledges:board", args=[org.branch.pk, YEAR]))
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("pledges:delete", args=[pledge.pk])).status_code == 404
    assert client.post(reverse("pledges:note_add", args=[pledge.pk]), {"text": "x"}).status_code == 404


def test_index_lists_only_branches_in_scope(org, login, pledge):
    services.pledge_create(branch=org.other_branch, year=YEAR, content="办公室承诺")
    page = login(org.secretary).get(reverse("pledges:index")).content.decode()
    assert org.branch.name in page and org.other_branch.name not in page
    committee_page = login(org.committee_user).get(reverse("pledges:index")).content.decode()
    assert org.branch.name in committee_page and org.other_branch.name in committee_page


def test_secretary_records_a_branch_pledge_and_one_for_a_member_without_login(org, login):
    offline = make_member(org.branch, name="王芳")
    client = login(org.secretary)
    url = reverse("pledges:branch_new", args=[org.branch.pk])
    assert client.post(url, {"year": YEAR, "member": "", "content": "支部集体承诺"}).status_code == 302
    assert client.post(url, {"year": YEAR, "member": offline.pk, "content": "代录承诺"}).status_code == 302
    assert Pledge.objects.get(content="支部集体承诺").member is None
    assert Pledge.objects.get(content="代录承诺").member == offline


def test_transferred_members_items_follow_them(org, login, pledge):
    from members.services import member_transfer

    member_transfer(member=org.member, to_branch=org.other_branch, on=TODAY)
    # The new branch's secretary sees the member's earlier items; the item stays rated by the old branch.
    assert login(org.outsider).get(reverse("pledges:detail", args=[pledge.pk])).status_code == 200
    assert Pledge.objects.managed_by(org.outsider).filter(pk=pledge.pk).count() == 0


# --- query counts ----------------------------------------------------------------------------------


def _add_items(org, n):
    members = [make_member(org.branch) for _ in range(n)]
    for m in members:
        p = services.pledge_create(branch=org.branch, member=m, year=YEAR, content="承诺")
        services.pledge_note_add(pledge=p, text="记录", noted_on=TODAY)


@pytest.mark.parametrize("url_name", ["board", "rate"])
def test_board_and_rate_pages_do_not_grow_queries(org, login, django_assert_max_num_queries, url_name):
    client = login(org.secretary)
    url = reverse(f"pledges:{url_name}", args=[org.branch.pk, YEAR])
    _add_items(org, 2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _add_items(org, 10)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_index_does_not_grow_queries_with_branches(org, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from branches.models import OrgUnit
    from tests.factories import make_unit

    client = login(org.committee_user)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("pledges:index")).status_code == 200
    for _ in range(8):
        b = make_unit(OrgUnit.Kind.BRANCH, org.committee)
        services.pledge_create(branch=b, year=YEAR, content="x")
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse("pledges:index")).status_code == 200


def test_member_fulfilment_rates_for_the_workbook(org, pledge):
    other = services.pledge_create(branch=org.branch, member=org.member, year=YEAR, content="二")
    services.pledge_rate_all(
        branch=org.branch, year=YEAR, ratings={pledge.pk: ("fulfilled", ""), other.pk: ("unfulfilled", "")}
    )
    assert selectors.member_fulfilment_rates([org.branch.pk], YEAR) == {org.member.pk: 0.5}


def test_home_reminds_a_member_of_an_open_appraisal_a_pledge_and_this_months_note(org, login):
    appraisal = services.appraisal_open(branch=org.branch, year=YEAR)
    client = login(org.member_user)
    page = client.get(reverse("home")).content.decode()
    assert appraisal.label in page
    assert "您还没有作出" in page and "本月还没有学习心得" in page
    services.pledge_create(branch=org.branch, member=org.member, year=YEAR, content="承诺")
    services.study_note_create(member=org.member, month=TODAY.replace(day=1), title="t", body="b")
    services.appraisal_self_submit(entry=appraisal.entries.get(), text="自评")
    page = client.get(reverse("home")).content.decode()
    assert "1 项公开承诺" in page and "本月的学习心得已提交" in page
    assert appraisal.label not in page  # self-appraisal written, and nobody else to grade
    assert "承诺、评议与学习" not in login(org.secretary).get(reverse("home")).content.decode()


def test_home_reminder_stays_until_the_ballot_is_cast(org, login):
    peer = make_member(org.branch, name="李娜")
    appraisal = services.appraisal_open(branch=org.branch, year=YEAR)
    services.appraisal_self_submit(entry=appraisal.entries.get(member=org.member), text="自评")
    client = login(org.member_user)
    assert appraisal.label in client.get(reverse("home")).content.decode()
    services.appraisal_ballot_cast(appraisal=appraisal, grader=org.member, grades={peer.pk: "competent"})
    assert appraisal.label not in client.get(reverse("home")).content.decode()
