"""python manage.py revoke_role USERNAME ROLE UNIT_CODE"""

from django.core.management.base import BaseCommand, CommandError

from branches import services
from branches.models import UnitRole

from . import _roles


class Command(BaseCommand):
    help = "撤销角色，如：python manage.py revoke_role lina 支部书记 ZB01（记入该党组织的变更记录）"

    def add_arguments(self, parser):
        _roles.add_arguments(parser)

    def handle(self, *args, username, role, unit_code, **options):
        user, role_value, unit = _roles.resolve(username, role, unit_code)
        grant = UnitRole.objects.filter(user=user, unit=unit, role=role_value).first()
        if grant is None:
            raise CommandError(f"{username} 不是{unit.name}（{unit.code}）的“{role}”，无需撤销")
        services.role_revoke(grant=grant)
        self.stdout.write(f"已撤销 {username} {unit.name}（{unit.code}）的“{role}”角色")
