from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessment.services.checks import quarter_compute


class Command(BaseCommand):
    help = "季度检查：计算所有党支部某季度的自动计分指标（重复运行只更新计算结果，不动人工评分）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4])

    def handle(self, *args, year, quarter, **options):
        try:
            check = quarter_compute(year=year, quarter=quarter)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"{check}：{check.message}"))
