"""The command every `manage.py import_…` of a workbook shares (the command-line twin of imports.pages):
open the file, import it all or nothing, print the warnings, every refused row, or the summary.

A command says only what it imports: `help` and `import_file(handle, *, check_only, **options)`,
which returns the app's import result (`ok`, `errors`, `summary`, and `warnings` if it has any)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class ImportCommand(BaseCommand):
    file_help = "要导入的.xlsx文件"

    def add_arguments(self, parser):
        parser.add_argument("file", help=self.file_help)
        parser.add_argument("--check", action="store_true", help="只检查文件，不写入")

    def import_file(self, handle, *, check_only: bool, **options: Any) -> Any:
        raise NotImplementedError

    def handle(self, *args, file, check=False, **options):
        try:
            with open(file, "rb") as handle:
                result = self.import_file(handle, check_only=check, **options)
        except OSError as exc:
            raise CommandError(f"无法打开文件{file}：{exc.strerror}") from exc
        for warning in getattr(result, "warnings", ()):
            self.stderr.write(self.style.WARNING(warning))
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"导入失败：共{len(result.errors)}处错误，未写入任何数据")
        self.stdout.write(self.style.SUCCESS(result.summary))
