"""The demo's notices builder: addresses for the demo logins and their inboxes, idempotent."""

from datetime import date

import pytest

from demo.notices import seed_notices
from demo.org import DemoOrg
from members.models import Member
from notices.models import Delivery, Notice, Occasion


@pytest.mark.django_db
def test_seed_notices_fills_the_inboxes_and_running_it_again_changes_nothing(org):
    demo = DemoOrg(
        today=date(2026, 11, 25),
        committee=org.committee,
        general_branches=[org.general],
        branches=[org.branch, org.other_branch],
        groups=[org.group],
        users={"shuji": org.secretary, "dangyuan": org.member_user},
    )
    seed_notices(demo)
    assert Member.objects.get(pk=org.member.pk).email == "dangyuan@court.example"
    assert Notice.objects.filter(recipient=org.secretary).exists()
    assert not Delivery.objects.exists()  # the demo queues no mail
    before = (Occasion.objects.count(), Notice.objects.count(), Member.history.count())
    seed_notices(demo)
    assert (Occasion.objects.count(), Notice.objects.count(), Member.history.count()) == before
