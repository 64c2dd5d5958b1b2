"""Test data builders. They go through the services, so test data obeys the same rules as real data."""

import itertools
from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from branches import services as branch_services
from branches.models import OrgUnit, UnitRole
from dues import services as dues_services
from dues.rules import Month
from members import idcard
from members import services as member_services
from members.models import Member
from notices import services as notice_services
from recruitment import services as recruitment_services

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


def make_recruit(branch: OrgUnit, name: str = "李思远", applied_on: date = date(2025, 3, 1), born=date(1998, 5, 5)):
    """Someone who applied to join the Party (step 1 of recruitment)."""
    n = next(_sequence)
    return recruitment_services.recruit_create(
        branch=branch,
        name=name,
        id_number=idcard.make_id_number("430102", born, (n * 2 + 1) % 1000),
        applied_on=applied_on,
    )


def make_recruit_document(recruit, name: str = "入党申请书.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    step = recruit.steps.order_by("number").first()
    upload = SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return recruitment_services.recruit_document_add(step=step, upload=upload)


# --- dues ------------------------------------------------------------------------------------------
# `today` defaults to the last day of the year concerned, so tests do not depend on the real date.


def open_dues_year(year: int, rounding: str = "fen", today: date | None = None):
    """Open a year of the dues ledger (the committee's step)."""
    return dues_services.dues_year_set(year=year, rounding=rounding, by=None, today=today or date(year, 12, 31))


def set_dues_base(member: Member, year: int, base, category: str = "employed", from_month: int = 1, today=None):
    return dues_services.base_set(
        member=member,
        year=year,
        from_month=from_month,
        category=category,
        base=None if base is None else Decimal(str(base)),
        by=None,
        today=today or date(year, 12, 31),
    )


def pay_dues(member: Member, year: int, month: int, amount, paid_on: date | None = None, today=None):
    """A payment for `year`-`month`, paid on its last day unless `paid_on` says otherwise."""
    from dues import services as dues_services

    month_ = Month(year, month)
    paid_on = paid_on or month_.last
    return dues_services.payment_record(
        member=member,
        month=month_,
        amount=Decimal(str(amount)),
        paid_on=paid_on,
        by=None,
        today=today or max(paid_on, date(year, 12, 31)),
    )


def make_delivery(user, address: str = "someone@court.example"):
    """A message in the committee's sent list (a test mail, queued through the notices service)."""
    return notice_services.delivery_test_email(by=user, address=address)
