import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessment.yearbook.services import Progress, workbook_write
from branches.models import OrgUnit


class PrintedProgress(Progress):
    def __init__(self, out):
        self.out = out
        self.started = time.monotonic()

    def sheet_done(self, index: int, title: str, written: int) -> None:
        self.out.write(f"  {title}：{written} 行（{time.monotonic() - self.started:.1f} 秒）")


class Command(BaseCommand):
    help = "导出年度考核表（汇总、指标明细、三会一课、党员评议、问题整改、星级历史），可只导出某个党组织的支部"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", type=Path, required=True, help="输出文件，如 2025年度考核表.xlsx")
        parser.add_argument("--branch", help="党组织编码（党支部或党总支）：只导出其下的支部")
        parser.add_argument("--quiet", action="store_true", help="不逐表打印进度")

    def handle(self, *args, year, out, branch, quiet, **options):
        if out.suffix.lower() != ".xlsx":
            raise CommandError(f"输出文件须以 .xlsx 结尾：{out}")
        if not out.parent.is_dir():
            raise CommandError(f"输出目录不存在：{out.parent}")
        unit = None
        if branch:
            unit = OrgUnit.objects.filter(code=branch).first()
            if unit is None:
                raise CommandError(f"找不到编码为 {branch} 的党组织")
            if unit.kind == OrgUnit.Kind.GROUP:
                raise CommandError(f"{branch} 是党小组；请填写党支部或党总支的编码")
        started = time.monotonic()
        counts = workbook_write(
            year=year,
            out=out,
            unit=unit,
            include_proposals=True,
            progress=None if quiet else PrintedProgress(self.stdout),
        )
        took = time.monotonic() - started
        summary = f"已导出 {out}：{len(counts)} 个工作表、{sum(counts.values())} 行，用时 {took:.1f} 秒"
        self.stdout.write(self.style.SUCCESS(summary))
