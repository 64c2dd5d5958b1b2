"""The directory sign-in backend (see accounts/directory.py): django-auth-ldap checks the password
against the directory; the user is the roster member's account."""

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_auth_ldap.backend import LDAPBackend

from members.models import Member
from members.selectors import member_by_id_number

from . import rules
from .directory import directory_keys


def match_member(attrs: Mapping[str, Sequence], *, id_attr: str, employee_attr: str):
    """The roster's member for a directory entry: by ID-card number first, then by employee number.

    None when neither finds exactly one member.
    """
    id_number, employee_number = directory_keys(attrs, id_attr=id_attr, employee_attr=employee_attr)
    if id_number:
        member = member_by_id_number(id_number)
        if member is not None:
            return member
    if employee_number:
        found = list(Member.objects.filter(employee_number=employee_number).select_related("user")[:2])
        if len(found) == 1:
            return found[0]
    return None


class RosterLDAPBackend(LDAPBackend):
    """django-auth-ldap, with users found on the roster instead of by directory name."""

    def get_user(self, user_id):
        # A session made through the directory ends when the account is switched off (member_leave),
        # as ModelBackend's do.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def get_or_build_user(self, username, ldap_user):
        member = match_member(
            ldap_user.attrs,
            id_attr=getattr(settings, "AUTH_LDAP_MATCH_ID_ATTR", ""),
            employee_attr=getattr(settings, "AUTH_LDAP_MATCH_EMPLOYEE_ATTR", ""),
        )
        if member is None or member.left_on is not None:
            # PermissionDenied stops Django from trying the password on a local account of that name.
            raise PermissionDenied
        if member.user is not None:
            if not member.user.is_active:
                raise PermissionDenied
            return member.user, False
        User = get_user_model()
        with transaction.atomic():
            name = rules.unique_username(
                username.lower()[: rules.MAX_USERNAME], lambda n: User.objects.filter(username__iexact=n).exists()
            )
            # No usable password: the directory holds it.
            user = User.objects.create_user(username=name, last_name=member.name, password=None)
            member.user = user
            member.save(update_fields=["user"])
        return user, False
