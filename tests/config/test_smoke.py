from members.models import Member


def test_member_sees_only_self_and_secretary_sees_branch(org):
    assert list(Member.objects.visible_to(org.member_user)) == [org.member]
    assert list(Member.objects.visible_to(org.secretary)) == [org.member]
    assert list(Member.objects.visible_to(org.outsider)) == []
    assert list(Member.objects.visible_to(org.committee_user)) == [org.member]
