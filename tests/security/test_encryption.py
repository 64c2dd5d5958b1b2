"""ID-card numbers encrypted at rest: no plain number in the database, lookups through the keyed hash."""

import re
from datetime import date

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from members import idcard, services
from members.models import Member
from members.selectors import member_by_id_number, members_by_id_numbers
from security.crypto import DecryptionError, KeyRing, keyring
from tests.factories import make_member

from .conftest import fixed_key

PURPOSE = "members.Member.id_number"
NUMBER_PATTERN = re.compile(r"\d{17}[\dX]")


def raw_rows(table: str, *columns: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY 1")  # noqa: S608
        return cursor.fetchall()


# The primitives, without a database


def test_a_value_round_trips_and_each_encryption_differs():
    ring = KeyRing(b"k" * 32)
    first, second = ring.encrypt("110101198001010011", PURPOSE), ring.encrypt("110101198001010011", PURPOSE)
    assert first != second  # a fresh nonce each time: equal numbers do not show as equal
    assert ring.decrypt(first, PURPOSE) == ring.decrypt(second, PURPOSE) == "110101198001010011"
    assert "110101198001010011" not in first and first.startswith(f"v1:{ring.current.kid}:")


def test_a_value_does_not_decrypt_under_another_purpose_or_when_altered():
    ring = KeyRing(b"k" * 32)
    token = ring.encrypt("110101198001010011", PURPOSE)
    with pytest.raises(DecryptionError, match="altered or misplaced"):
        ring.decrypt(token, "members.Member.phone")
    altered = token[:-6] + ("AAAA" if token[-6:-2] != "AAAA" else "BBBB") + token[-2:]
    with pytest.raises(DecryptionError):
        ring.decrypt(altered, PURPOSE)


def test_old_keys_read_but_only_the_current_key_writes():
    old = KeyRing(b"o" * 32)
    token = old.encrypt("110101198001010011", PURPOSE)
    with pytest.raises(DecryptionError, match="neither FIELD_ENCRYPTION_KEY nor in FIELD_ENCRYPTION_KEYS_OLD"):
        KeyRing(b"n" * 32).decrypt(token, PURPOSE)
    rotating = KeyRing(b"n" * 32, old=(b"o" * 32,))
    assert rotating.decrypt(token, PURPOSE) == "110101198001010011"
    assert rotating.key_of(rotating.encrypt("x", PURPOSE)) == rotating.current.kid != old.current.kid


def test_blind_indexes_are_keyed_and_cover_every_configured_key():
    number = "110101198001010011"
    old, new = KeyRing(b"o" * 32), KeyRing(b"n" * 32, old=(b"o" * 32,))
    assert old.blind_index(number, PURPOSE) == old.blind_index(number, PURPOSE)
    assert old.blind_index(number, PURPOSE) != new.blind_index(number, PURPOSE)
    assert new.blind_indexes(number, PURPOSE) == [new.blind_index(number, PURPOSE), old.blind_index(number, PURPOSE)]
    assert len(new.blind_index(number, PURPOSE)) == 64 and number not in new.blind_index(number, PURPOSE)


# In the database


@pytest.mark.django_db
def test_the_database_holds_no_plain_id_number(org):
    numbers = {org.member.id_number, make_member(org.branch, name="王芳").id_number}
    member = member_by_id_number(org.member.id_number)
    services.member_update(member=member, phone="13900000000")  # a second history row
    for table in ("members_member", "members_historicalmember"):
        stored = [value for (value,) in raw_rows(table, "id_number")]
        assert len(stored) >= 2
        for value in stored:
            assert not NUMBER_PATTERN.search(value), (table, value)
            assert keyring().decrypt(value, PURPOSE) in numbers
    dump = " ".join(str(row) for row in raw_rows("members_member", "*"))
    assert not any(number in dump for number in numbers)
    # Python still sees the plain number.
    assert {m.id_number for m in Member.objects.all()} == numbers


@pytest.mark.django_db
def test_lookups_go_through_the_hash_and_refuse_the_encrypted_column(org):
    born = date(1990, 4, 5)
    with_x = next(n for n in (idcard.make_id_number("110101", born, s) for s in range(1, 999, 2)) if n.endswith("X"))
    wang = make_member(org.branch, name="王芳", id_number=with_x, birth_date=born)
    assert member_by_id_number(f" {with_x.lower()} ") == wang
    assert members_by_id_numbers([wang.id_number, org.member.id_number, "110101199001010000"]) == {
        wang.id_number: wang,
        org.member.id_number: org.member,
    }
    assert members_by_id_numbers([wang.id_number], among=Member.objects.filter(branch=org.other_branch)) == {}
    with pytest.raises(FieldError, match="stored encrypted"):
        Member.objects.filter(id_number=wang.id_number).exists()
    with pytest.raises(FieldError, match="stored encrypted"):
        Member.objects.filter(id_number__icontains="1990").exists()


@pytest.mark.django_db
def test_uniqueness_holds_in_the_service_and_in_the_database(org):
    with pytest.raises(ValidationError) as refused:
        make_member(org.branch, name="李四", id_number=org.member.id_number.lower(), birth_date=org.member.birth_date)
    assert "该身份证号已登记" in str(refused.value.message_dict["id_number"])
    # Past the service, the unique index on the hash still refuses it.
    copy = Member.objects.get(pk=org.member.pk)
    copy.pk = None
    copy.user = None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


@pytest.mark.django_db
def test_search_and_the_roster_still_find_members_by_number(org, login):
    wang = make_member(org.branch, name="王芳")
    secretary, committee = login(org.secretary), None
    page = secretary.get(reverse("members:list"), {"q": wang.id_number})
    assert [m.name for m in page.context["page"].object_list] == ["王芳"]
    committee = login(org.committee_user)
    tail = wang.id_number[-6:]
    page = committee.get(reverse("members:list"), {"q": tail})
    assert "王芳" in [m.name for m in page.context["page"].object_list]
    # Too short a part matches no number (a name or phone may still match).
    page = committee.get(reverse("members:list"), {"q": wang.id_number[-3:]})
    assert "王芳" not in [m.name for m in page.context["page"].object_list]


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_encrypts_plain_numbers_and_reverses(org):
    numbers = {org.member.id_number, make_member(org.branch, name="王芳").id_number}
    executor = MigrationExecutor(connection)
    executor.migrate([("members", "0002_encrypted_id_number")])  # 0003 reversed: back to plain
    assert {value for (value,) in raw_rows("members_member", "id_number")} == numbers
    assert {value for (value,) in raw_rows("members_historicalmember", "id_number")} == numbers
    assert {value for (value,) in raw_rows("members_member", "id_number_hash")} == {None}
    executor = MigrationExecutor(connection)
    executor.migrate([("members", "0003_encrypt_existing_id_numbers")])
    stored = raw_rows("members_member", "id_number", "id_number_hash")
    # Back to the latest schema (later migrations were unapplied with 0003) for the checks below and
    # the tests that follow in this process.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert not any(NUMBER_PATTERN.search(value) for value, _ in stored)
    assert {keyring().decrypt(value, PURPOSE) for value, _ in stored} == numbers
    assert {index for _, index in stored} == {keyring().blind_index(n, PURPOSE) for n in numbers}
    assert member_by_id_number(org.member.id_number) == org.member


def test_keys_are_checked_at_start_up(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from config import settings as app_settings

    with pytest.raises(ImproperlyConfigured, match="32 random bytes"):
        app_settings.checked_key("c2hvcnQ=", "FIELD_ENCRYPTION_KEY")
    assert app_settings.checked_key(fixed_key("a"), "FIELD_ENCRYPTION_KEY") == fixed_key("a")


@pytest.mark.django_db
def test_seed_scale_writes_encrypted_numbers_and_their_hashes():
    from bench.scale import seed_scale

    seed_scale(branches=2, year=2025)
    stored = raw_rows("members_member", "id_number", "id_number_hash")
    assert len(stored) > 20
    assert not any(NUMBER_PATTERN.search(value) for value, _ in stored)
    first = Member.objects.order_by("pk").first()
    assert idcard.id_number_errors(first.id_number, first.birth_date) == []
    assert member_by_id_number(first.id_number) == first
    assert {index for _, index in stored} == {keyring().blind_index(m.id_number, PURPOSE) for m in Member.objects.all()}
