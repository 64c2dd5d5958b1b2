"""Lockout in two tiers, on top of django-axes.

axes locks what AXES_LOCKOUT_PARAMETERS names, [username, address] here, after AXES_FAILURE_LIMIT
failures: a stranger who guesses at a committee member's password from his own machine locks only
himself out of that account. It cannot express a second, higher limit for the username alone, so
this handler adds it: the name is locked from every address once its failures within the cool-off
reach AXES_USERNAME_FAILURE_LIMIT, each address counting at most AXES_FAILURE_LIMIT of them (an
address that keeps trying after its own lock cannot push the name over by itself; it takes
AXES_USERNAME_FAILURE_LIMIT / AXES_FAILURE_LIMIT addresses).

Rules in plain functions (`username_locked`) so they are tested without a database.
"""

from collections.abc import Iterable

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

ADDRESS, USERNAME = "address", "username"
USERNAME_LENGTH = 150  # django.contrib.auth's username


def attempted_username(request, credentials=None) -> str | None:
    """The name a sign-in tried, as axes records it (AXES_USERNAME_CALLABLE): without NUL bytes and cut
    to the 150 characters a username can have, so that junk typed as a name (axes' column holds 255)
    is a failed sign-in like any other rather than a 500."""
    source = credentials or getattr(request, "data", request.POST)
    name = source.get(getattr(settings, "AXES_USERNAME_FORM_FIELD", "username"))
    return None if name is None else str(name).replace("\x00", "")[:USERNAME_LENGTH]


def username_failures(failures_per_address: Iterable[int], per_address_cap: int) -> int:
    """The failures that count against a name: each address's, capped at the pair limit."""
    return sum(min(count, per_address_cap) for count in failures_per_address)


def username_locked(failures_per_address: Iterable[int], per_address_cap: int, username_limit: int) -> bool:
    return username_failures(failures_per_address, per_address_cap) >= username_limit


class TieredAxesHandler(AxesDatabaseHandler):
    """axes' database handler with the username tier; notes on the request which tier locked."""

    def is_locked(self, request, credentials=None) -> bool:
        locked = super().is_locked(request, credentials)
        if locked:
            # Asked by the axes backend before the password is checked: the attempt is refused, and
            # the sign-in log records a refusal rather than a new lock.
            request.refused_while_locked = True
        return locked

    def get_failures(self, request, credentials=None) -> int:
        pair = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        username = get_client_username(request, credentials)
        # The name tier first: when both are reached, the lock that matters is the wider one.
        if username and self._username_locked(request, username, limit):
            request.lockout_tier = USERNAME
            # axes compares this count with its one limit: reaching it locks the attempt.
            return max(pair, limit)
        if pair >= limit:
            request.lockout_tier = ADDRESS
        return pair

    def _username_locked(self, request, username: str, limit: int) -> bool:
        per_address = (
            AccessAttempt.objects.filter(username=username, attempt_time__gte=get_cool_off_threshold(request))
            .order_by()
            .values("ip_address")
            .annotate(failures=Sum("failures_since_start"))
            .values_list("failures", flat=True)
        )
        return username_locked(per_address, limit, settings.AXES_USERNAME_FAILURE_LIMIT)
