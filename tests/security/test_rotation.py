"""rotate_encryption_key: re-encrypts under the new key while the old one still reads, in batches."""

import base64
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from branches.models import OrgUnit
from members.models import Member
from members.selectors import member_by_id_number
from security.crypto import KeyRing, keyring
from tests.factories import make_member, make_unit

from .conftest import fixed_key

PURPOSE = "members.Member.id_number"
OLD, NEW, STRANGER = fixed_key("old key"), fixed_key("new key"), fixed_key("a key nobody configured")


def stored(table="members_member"):
    """(id, stored value, stored hash) of each row; the history keeps no hash."""
    index = "id_number_hash" if table == "members_member" else "NULL"
    key = "id" if table == "members_member" else "history_id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, id_number, {index} FROM {table} ORDER BY {key}")  # noqa: S608
        return cursor.fetchall()


def rotate(*args):
    out = StringIO()
    call_command("rotate_encryption_key", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def members(db, settings):
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_KEYS_OLD = OLD, []
    committee = make_unit(OrgUnit.Kind.COMMITTEE, code="JG", name="机关党委")
    branch = make_unit(OrgUnit.Kind.BRANCH, committee, code="ZB1", name="刑事审判庭党支部")
    return [make_member(branch, name=name) for name in ("王芳", "李强", "赵敏", "孙丽")]


@pytest.mark.django_db
def test_rotation_rewrites_every_value_and_hash_under_the_new_key(members, settings):
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_KEYS_OLD = NEW, [OLD]
    ring = keyring()
    # Mid-rotation (nothing rewritten yet) every member is still read and found.
    assert [member_by_id_number(m.id_number) for m in members] == members
    with pytest.raises(CommandError, match="仍有数据由旧密钥加密"):
        rotate("--check")

    output = rotate("--batch-size", "3")
    assert "members.Member.id_number：3/4" in output and "members.Member.id_number：4/4" in output
    assert "members.HistoricalMember.id_number" in output
    for table in ("members_member", "members_historicalmember"):
        for _, value, _ in stored(table):
            assert ring.key_of(value) == ring.current.kid
    assert {index for _, _, index in stored()} == {ring.blind_index(m.id_number, PURPOSE) for m in members}
    assert "全部数据已由当前密钥加密" in rotate("--check")
    assert "重新加密 0 行" in rotate()  # idempotent: a second run finds nothing to do

    # The old key can go: everything reads and is found with the new key alone.
    settings.FIELD_ENCRYPTION_KEYS_OLD = []
    assert [member_by_id_number(m.id_number) for m in members] == members
    assert sorted(Member.objects.values_list("id_number", flat=True)) == sorted(m.id_number for m in members)


@pytest.mark.django_db
def test_a_batch_that_fails_changes_nothing_and_the_run_resumes(members, settings):
    # The third member's number was written with a key nobody configured (a lost key).
    lost = KeyRing(base64.urlsafe_b64decode(STRANGER))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE members_member SET id_number = %s WHERE id = %s",
            [lost.encrypt(members[2].id_number, PURPOSE), members[2].pk],
        )
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_KEYS_OLD = NEW, [OLD]
    ring = keyring()
    with pytest.raises(CommandError, match=rf"members.Member.id_number id={members[2].pk}.*FIELD_ENCRYPTION_KEYS_OLD"):
        rotate("--batch-size", "2")
    kids = [ring.key_of(value) for _, value, _ in stored()]
    # The first batch (two members) is done; the failed batch (the lost one and the fourth) is untouched.
    assert kids[:2] == [ring.current.kid] * 2
    assert kids[2] == lost.current.kid
    assert kids[3] != ring.current.kid

    # With the lost key found and listed, the run carries on from there.
    settings.FIELD_ENCRYPTION_KEYS_OLD = [OLD, STRANGER]
    output = rotate("--batch-size", "2")
    assert "members.Member.id_number：重新加密 2 行" in output
    assert {keyring().key_of(value) for _, value, _ in stored()} == {ring.current.kid}
