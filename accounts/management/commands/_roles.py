"""What grant_role and revoke_role share: reading USERNAME ROLE UNIT_CODE with Chinese errors."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from branches import rules
from branches.models import OrgUnit


def add_arguments(parser):
    parser.add_argument("username", help="用户名")
    parser.add_argument("role", help="角色：" + " / ".join(rules.ROLE_LABELS.values()))
    parser.add_argument("unit_code", help="党组织编码")


def resolve(username: str, role: str, unit_code: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"没有用户名为“{username}”的账号")
    if role not in rules.ROLE_BY_LABEL:
        raise CommandError(f"没有“{role}”这个角色，只能是：{'、'.join(rules.ROLE_LABELS.values())}")
    unit = OrgUnit.objects.filter(code=unit_code).first()
    if unit is None:
        raise CommandError(f"没有编码为“{unit_code}”的党组织")
    return user, rules.ROLE_BY_LABEL[role], unit
