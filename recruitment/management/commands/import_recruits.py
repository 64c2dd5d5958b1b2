from django.core.management.base import BaseCommand, CommandError

from recruitment.recruit_io import recruit_import


class Command(BaseCommand):
    help = "从.xlsx工作簿（“发展党员”表）导入发展党员记录；有任何错误则不写入。按身份证号可重复导入"

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的.xlsx文件")
        parser.add_argument("--check", action="store_true", help="只检查文件，不写入")

    def handle(self, *args, file, check, **options):
        try:
            with open(file, "rb") as handle:
                result = recruit_import(file=handle, check_only=check)
        except OSError as exc:
            raise CommandError(f"无法打开文件{file}：{exc.strerror}") from exc
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"导入失败：共{len(result.errors)}处错误，未写入任何数据")
        self.stdout.write(self.style.SUCCESS(result.summary))
