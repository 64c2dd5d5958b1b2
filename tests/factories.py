"""Test data builders. They go through the services, so test data obeys the same rules as real data."""

import itertools
from datetime import date

import factory
from django.contrib.auth import get_user_model

from branches import services as branch_services
from branches.models import OrgUnit, UnitRole
from members import idcard
from members import services as member_services
from members.models import Member
from notices import services as notice_services

_sequence = itertools.count(1)

PASSWORD = "pass-for-tests-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def make_unit(kind: str, parent: OrgUnit | None = None, code: str | None = None, name: str | None = None, **fields):
    n = next(_sequence)
    code = code or f"U{n:04d}"
    return branch_services.unit_create(parent=parent, code=code, name=name or f"单位{code}", kind=kind, **fields)


def make_member(branch: OrgUnit, name: str | None = None, group: OrgUnit | None = None, since=None, **fields):
    n = next(_sequence)
    born = fields.pop("birth_date", date(1980, 1, 1 + n % 28))
    gender = fields.pop("gender", "男")
    sequence = (n * 2 + (1 if gender == "男" else 0)) % 1000
    fields.setdefault("id_number", idcard.make_id_number("110101", born, sequence))
    fields.setdefault("joined_on", date(2005, 7, 1))
    fields.setdefault("full_on", date(2006, 7, 1))
    return member_services.member_create(
        since=since,
        name=name or f"党员{n}",
        gender=gender,
        birth_date=born,
        branch=branch,
        group=group,
        **fields,
    )


def grant(user, unit: OrgUnit, role: str) -> UnitRole:
    return UnitRole.objects.create(user=user, unit=unit, role=role)


def member_with_login(member: Member, username: str | None = None):
    user = UserFactory(username=username or f"m{member.pk}")
    member.user = user
    member.save(update_fields=["user"])
    return user


def make_delivery(user, address: str = "someone@court.example"):
    """A message in the committee's sent list (a test mail, queued through the notices service)."""
    return notice_services.delivery_test_email(by=user, address=address)
