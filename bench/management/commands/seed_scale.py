from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bench.scale import seed_scale


class Command(BaseCommand):
    help = (
        "压测数据：在空数据库中生成 N 个党支部（每支部约 25 名党员、一年约 40 次会议及出席情况、"
        "承诺、学习心得、谈心谈话、民主评议、问题清单、人工评分、申报和前两年星级）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--branches", type=int, required=True, help="党支部数，如 5000")
        parser.add_argument("--year", type=int, help="生成哪一年的记录（默认去年）")
        parser.add_argument("--seed", type=int, default=2025, help="随机数种子：同一种子生成同样的数据")

    def handle(self, *args, branches, year, seed, **options):
        year = year or timezone.localdate().year - 1
        self.stdout.write(f"生成 {branches} 个党支部 {year} 年度的压测数据：")
        try:
            report = seed_scale(branches=branches, year=year, seed=seed, echo=self.stdout.write)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"完成，用时 {report.seconds['total']:.1f} 秒"))
