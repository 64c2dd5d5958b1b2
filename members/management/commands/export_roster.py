from django.core.management.base import BaseCommand, CommandError

from members.roster_export import roster_export


class Command(BaseCommand):
    help = "把全部组织和党员名册导出为.xlsx工作簿（可再导入）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="要写入的.xlsx文件")

    def handle(self, *args, file, **options):
        try:
            with open(file, "wb") as handle:
                units, members = roster_export(stream=handle)
        except OSError as exc:
            raise CommandError(f"无法写入文件{file}：{exc.strerror}") from exc
        self.stdout.write(self.style.SUCCESS(f"已导出组织{units}个、党员{members}人到{file}"))
