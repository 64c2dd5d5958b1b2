"""谈心谈话: recorded by the branch, private to its managers and the committee, counted for C3."""

import datetime as dt
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Talk
from activities.selectors import meeting_facts
from core.periods import Period
from tests.factories import make_member


@pytest.fixture
def people(org):
    return [make_member(org.branch, name=n) for n in ("王书记", "李明", "赵强")]


def test_log_a_talk_and_see_coverage(org, people, login):
    client = login(org.secretary)
    today = timezone.localdate()
    response = client.post(
        reverse("activities:talk_create") + f"?branch={org.branch.pk}",
        {"member": people[1].pk, "talked_on": today.isoformat(), "talker": people[0].pk, "note": "工作压力较大"},
    )
    assert response.status_code == 302
    talk = Talk.objects.get()
    assert (talk.branch, talk.member, talk.talker, talk.note) == (org.branch, people[1], people[0], "工作压力较大")
    html = client.get(reverse("activities:talks"), {"branch": org.branch.pk, "year": today.year}).content.decode()
    assert "工作压力较大" in html
    assert "已谈 1/4 名党员" in html  # 张伟 and the three here
    facts = meeting_facts([org.branch.pk], Period.for_year(today.year))[org.branch.pk]
    assert (facts.members_talked, facts.members) == (1, 4)


def test_the_note_is_private(org, people, login):
    talk = services.talk_create(
        by=org.secretary, branch=org.branch, member=people[1], talked_on=date(2025, 3, 1), talker_name="机关党委书记"
    )
    for user in (org.group_leader, org.member_user, org.outsider):
        client = login(user)
        assert client.get(reverse("activities:talks"), {"year": 2025}).status_code in (200, 404)
        assert "机关党委书记" not in client.get(reverse("activities:talks"), {"year": 2025}).content.decode()
        assert client.get(reverse("activities:talk_edit", args=[talk.pk])).status_code == 404
        assert client.post(reverse("activities:talk_delete", args=[talk.pk])).status_code == 404
    assert login(org.outsider).get(reverse("activities:talk_create"), {"branch": org.branch.pk}).status_code == 404
    for user in (org.secretary, org.general_secretary, org.committee_user):
        assert login(user).get(reverse("activities:talk_edit", args=[talk.pk])).status_code == 200
    assert Talk.objects.count() == 1


def test_talk_rules(org, people):
    with pytest.raises(ValidationError, match="谈话人"):
        services.talk_create(by=None, branch=org.branch, member=people[1], talked_on=date(2025, 3, 1))
    with pytest.raises(ValidationError, match="同一人"):
        services.talk_create(by=None, branch=org.branch, member=people[1], talked_on=date(2025, 3, 1), talker=people[1])
    with pytest.raises(ValidationError, match="晚于今天"):
        services.talk_create(
            by=None,
            branch=org.branch,
            member=people[1],
            talked_on=timezone.localdate() + dt.timedelta(days=1),
            talker=people[0],
        )
    stranger = make_member(org.other_branch, name="外人")
    with pytest.raises(ValidationError, match="不是本支部党员"):
        services.talk_create(by=None, branch=org.branch, member=stranger, talked_on=date(2025, 3, 1), talker=people[0])
    assert not Talk.objects.exists()


def test_edit_and_delete(org, people, login):
    talk = services.talk_create(
        by=None, branch=org.branch, member=people[1], talked_on=date(2025, 3, 1), talker=people[0]
    )
    client = login(org.secretary)
    response = client.post(
        reverse("activities:talk_edit", args=[talk.pk]),
        {"member": people[2].pk, "talked_on": "2025-03-02", "talker": people[0].pk, "note": "改"},
    )
    assert response.status_code == 302
    talk.refresh_from_db()
    assert (talk.member, talk.talked_on, talk.note) == (people[2], date(2025, 3, 2), "改")
    assert talk.history.count() == 2
    client.post(reverse("activities:talk_delete", args=[talk.pk]))
    assert not Talk.objects.exists()
