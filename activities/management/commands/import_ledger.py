"""python manage.py import_ledger FILE: bring an old 三会一课 ledger in, all or nothing."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from activities import ledger_io, services


class Command(BaseCommand):
    help = "导入历史三会一课台账（工作表“会议”）。有任何错误则一条也不导入，并列出全部错误。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="台账 .xlsx 文件")
        parser.add_argument("--by", help="记为登记人的用户名（可选）")
        parser.add_argument("--check", action="store_true", help="只校验，不写入")

    def handle(self, *args, file, by=None, check=False, **options):
        user = None
        if by:
            try:
                user = get_user_model().objects.get(username=by)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"用户“{by}”不存在") from exc
        try:
            with open(file, "rb") as handle:
                rows, errors = ledger_io.read_ledger(handle)
        except OSError as exc:
            raise CommandError(f"无法打开文件 {file}：{exc.strerror}") from exc
        if errors:
            for error in errors:
                self.stderr.write(str(error))
            raise CommandError(f"发现 {len(errors)} 处问题，未导入任何记录")
        if check:
            self.stdout.write(f"校验通过：{len(rows)} 条会议记录可以导入（未写入）")
            return
        created = services.meetings_import(rows=rows, by=user)
        backfilled = sum(m.is_backfilled for m in created)
        self.stdout.write(self.style.SUCCESS(f"已导入 {len(created)} 条会议记录（其中补录 {backfilled} 条）"))
