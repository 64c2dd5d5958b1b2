from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessment.score_io import ImportFailed, import_scores


class Command(BaseCommand):
    help = "导入评分模板（申报、评分、历史星级）：全部无误才写入，否则逐行列出错误"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        if not file.is_file():
            raise CommandError(f"找不到文件 {file}")
        try:
            result = import_scores(file, by=None)
        except ImportFailed as exc:
            raise CommandError(
                "文件有错误，未导入任何内容：\n" + "\n".join(str(error) for error in exc.errors)
            ) from exc
        self.stdout.write(self.style.SUCCESS(result.summary))
