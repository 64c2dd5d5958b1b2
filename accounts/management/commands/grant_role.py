"""python manage.py grant_role USERNAME ROLE UNIT_CODE (ROLE: 机关党委工作人员 / 党总支书记 / 支部书记 / 党小组长)"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from branches import services

from . import _roles


class Command(BaseCommand):
    help = "授予角色，如：python manage.py grant_role lina 支部书记 ZB01（记入该党组织的变更记录）"

    def add_arguments(self, parser):
        _roles.add_arguments(parser)

    def handle(self, *args, username, role, unit_code, **options):
        user, role_value, unit = _roles.resolve(username, role, unit_code)
        try:
            services.role_grant(user=user, unit=unit, role=role_value)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已授予 {username} {unit.name}（{unit.code}）的“{role}”角色")
