"""Two-tier lockout: the username from one address first; the username alone only after many more
failures from several addresses. A stranger cannot lock the committee out from his own machine."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from security.lockout import username_failures, username_locked
from tests.factories import PASSWORD, UserFactory

LOGIN = reverse("login")
LOCKED = 429


@pytest.fixture
def committee_member(db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_USERNAME_FAILURE_LIMIT = 7
    return UserFactory(username="jgdw")


def sign_in(address: str, password: str, username: str = "jgdw") -> int:
    client = Client(REMOTE_ADDR=address)
    return client.post(LOGIN, {"username": username, "password": password}).status_code


def test_each_address_counts_at_most_the_pair_limit_against_the_name():
    assert username_failures([3, 3, 1], per_address_cap=3) == 7
    assert username_failures([50], per_address_cap=3) == 3
    assert not username_locked([50], per_address_cap=3, username_limit=7)
    assert username_locked([3, 3, 3], per_address_cap=3, username_limit=7)
    assert not username_locked([3, 3], per_address_cap=3, username_limit=7)


def test_failures_from_a_lock_that_address_only(committee_member):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("203.0.113.7", "wrong")
    assert sign_in("203.0.113.7", PASSWORD) == LOCKED
    # The member at her own desk signs in as usual, and that does not unlock the stranger.
    assert sign_in("10.20.1.15", PASSWORD) == 302
    assert sign_in("203.0.113.7", PASSWORD) == LOCKED


def test_a_stranger_hammering_from_one_address_never_locks_the_name(committee_member):
    for _ in range(settings.AXES_USERNAME_FAILURE_LIMIT * 3):
        sign_in("203.0.113.7", "wrong")
    assert sign_in("10.20.1.15", PASSWORD) == 302


def test_many_failures_from_many_addresses_lock_the_name_everywhere(committee_member):
    limit, cap = settings.AXES_USERNAME_FAILURE_LIMIT, settings.AXES_FAILURE_LIMIT
    addresses = [f"198.51.100.{n}" for n in range(1, limit // cap + 2)]
    statuses = [sign_in(address, "wrong") for address in addresses for _ in range(cap)]
    assert LOCKED in statuses
    # Locked from an address that never failed, with the right password; another name is not.
    assert sign_in("10.20.1.15", PASSWORD) == LOCKED
    UserFactory(username="shuji")
    assert sign_in("10.20.1.15", PASSWORD, username="shuji") == 302


def test_below_the_name_limit_the_name_stays_open(committee_member):
    limit, cap = settings.AXES_USERNAME_FAILURE_LIMIT, settings.AXES_FAILURE_LIMIT
    addresses = [f"198.51.100.{n}" for n in range(1, limit // cap + 1)]  # (limit // cap) * cap < limit
    for address in addresses:
        for _ in range(cap):
            sign_in(address, "wrong")
    assert sign_in("10.20.1.15", PASSWORD) == 302
