"""python manage.py create_accounts --unit CODE --out FILE.xlsx"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import selectors, services
from accounts.spreadsheet import accounts_workbook
from branches.models import OrgUnit


class Command(BaseCommand):
    help = (
        "为党组织（含下级）中还没有账号的每名党员开通登录账号，初始密码写入 Excel（工作表“账号”）。"
        "再次运行不会重复开通。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="党组织编码，如 JG（整个机关党委）或 ZB01")
        parser.add_argument(
            "--out", required=True, help="写出的 .xlsx 文件：支部编码、姓名、身份证号、用户名、初始密码"
        )

    def handle(self, *args, unit, out, **options):
        target = OrgUnit.objects.filter(code=unit).first()
        if target is None:
            raise CommandError(f"没有编码为“{unit}”的党组织")
        path = Path(out)
        if path.suffix.lower() != ".xlsx":
            raise CommandError(f"输出文件须是 .xlsx：{out}")
        if not path.parent.exists():
            raise CommandError(f"目录不存在：{path.parent}")
        # Written to the file before anything is committed: if the file cannot be written, no
        # account exists whose password nobody has seen.
        with transaction.atomic():
            accounts = services.accounts_create(members=list(selectors.members_without_account(target)))
            with path.open("wb") as stream:
                accounts_workbook(stream, accounts)
        if not accounts:
            self.stdout.write(f"{target.name}的党员都已有登录账号，未开通新账号（已写出空表：{path}）")
        else:
            self.stdout.write(f"已为{target.name}开通 {len(accounts)} 个账号，初始密码在 {path}（工作表“账号”）")
            self.stdout.write("密码只在此文件中：分发后请删除文件。党员首次登录时必须修改密码。")
