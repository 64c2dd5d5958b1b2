from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessment.services.ratings import year_propose


class Command(BaseCommand):
    help = "年度星级评定：先补算缺少的季度检查，再生成待审批的评定结果"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args, year, **options):
        try:
            year_rating = year_propose(year=year)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"{year_rating}：{year_rating.job_message}"))
