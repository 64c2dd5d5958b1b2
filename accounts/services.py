"""Writes for login accounts: bulk creation from the roster, password resets, the first-login change.

A one-time password is returned to the caller once and never stored: only its hash is kept. The
user must change it at first login (PendingPasswordChange, enforced by accounts.middleware).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from members.models import Member

from . import rules
from .hashers import OneTimePasswordHasher
from .models import PendingPasswordChange


@dataclass(frozen=True)
class NewPassword:
    """What is handed to a member: shown once (the printable list, the spreadsheet, the reset page)."""

    member: Member
    username: str
    password: str


def _hash(password: str) -> str:
    return make_password(password, hasher=OneTimePasswordHasher.algorithm)


@transaction.atomic
def accounts_create(*, members, by=None) -> list[NewPassword]:
    """A login for each member that has none, with a one-time password; all or nothing.

    Members who already have a login, or who left the organisation, are skipped, so running it
    again creates nothing twice. Usernames follow accounts.rules (pinyin, a number on collision).
    """
    User = get_user_model()
    ids = [m.pk for m in members]
    # Locked, so two secretaries creating at once cannot give one member two logins.
    todo = list(
        Member.objects.select_for_update()
        .filter(pk__in=ids, user__isnull=True, left_on__isnull=True)
        .order_by("branch__code", "name", "pk")
    )
    if not todo:
        return []
    bases = {m.pk: rules.username_base(m.name) for m in todo}
    # Every username in use, lower-cased: a few hundred thousand short strings at most.
    taken = {name.lower() for name in User.objects.values_list("username", flat=True).iterator()}
    created = []
    users = []
    for member in todo:
        username = rules.unique_username(bases[member.pk], taken.__contains__)
        taken.add(username)
        password = rules.one_time_password()
        users.append(User(username=username, last_name=member.name, password=_hash(password), is_active=True))
        created.append(NewPassword(member, username, password))
    users = User.objects.bulk_create(users)
    for member, user in zip(todo, users, strict=True):
        member.user = user
    bulk_update_with_history(todo, Member, ["user"], default_user=by)
    PendingPasswordChange.objects.bulk_create(PendingPasswordChange(user=u, created_by=by) for u in users)
    return created


@transaction.atomic
def password_reset(*, member: Member, by=None) -> NewPassword:
    """A new one-time password for a member who forgot theirs; they change it at next login."""
    user = member.user
    if user is None:
        raise ValidationError(_("%(name)s还没有登录账号") % {"name": member.name})
    if not user.is_active:
        raise ValidationError(_("%(name)s的账号已停用") % {"name": member.name})
    password = rules.one_time_password()
    user.password = _hash(password)
    user.save(update_fields=["password"])
    PendingPasswordChange.objects.update_or_create(user=user, defaults={"created_by": by})
    _unlock(user.get_username())
    return NewPassword(member, user.get_username(), password)


def password_changed(*, user) -> None:
    """The user chose their own password: the one-time one is gone, nothing more to force."""
    PendingPasswordChange.objects.filter(user=user).delete()


def must_change_password(user) -> bool:
    return PendingPasswordChange.objects.filter(user=user).exists()


def _unlock(username: str) -> None:
    # A member locked out by failed attempts gets in with the new password at once.
    from axes.utils import reset

    reset(username=username)
