"""python manage.py import_dues FILE: bases (sheet 基数) and payments (sheet 交纳), all or nothing."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dues.imports import dues_import


class Command(BaseCommand):
    help = "导入党费计算基数（工作表“基数”）和交纳记录（工作表“交纳”）；有任何错误则不写入，并列出全部错误"

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的 .xlsx 文件")
        parser.add_argument("--check", action="store_true", help="只检查文件，不写入")
        parser.add_argument("--by", help="记为登记人的用户名（可选）")

    def handle(self, *args, file, check=False, by=None, **options):
        user = None
        if by:
            try:
                user = get_user_model().objects.get(username=by)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"用户“{by}”不存在") from exc
        try:
            with open(file, "rb") as handle:
                result = dues_import(file=handle, by=user, check_only=check)
        except OSError as exc:
            raise CommandError(f"无法打开文件{file}：{exc.strerror}") from exc
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"导入失败：共{len(result.errors)}处错误，未写入任何数据")
        self.stdout.write(self.style.SUCCESS(result.summary))
