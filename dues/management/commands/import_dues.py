"""python manage.py import_dues FILE: bases (sheet 基数) and payments (sheet 交纳), all or nothing."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from dues.imports import dues_import
from imports.commands import ImportCommand


class Command(ImportCommand):
    help = "导入党费计算基数（工作表“基数”）和交纳记录（工作表“交纳”）；有任何错误则不写入，并列出全部错误"
    file_help = "要导入的 .xlsx 文件"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--by", help="记为登记人的用户名（可选）")

    def handle(self, *args, by=None, **options):
        # The user first: a wrong name is told before the file is read.
        user = None
        if by:
            try:
                user = get_user_model().objects.get(username=by)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"用户“{by}”不存在") from exc
        return super().handle(*args, by=user, **options)

    def import_file(self, handle, *, check_only, by=None, **options):
        return dues_import(file=handle, by=by, check_only=check_only)
