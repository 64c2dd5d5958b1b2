import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bench import benchmarks, pages


class Command(BaseCommand):
    help = "压测计时（make bench 调用）：compute_quarter、rate_year、export_year 及同一次运行中测得的下限"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="年度（默认去年，与 seed_scale 相同）")
        parser.add_argument(
            "--step",
            choices=["quarter", "quarters", "year", "jobs", "export", "pages", "archive"],
            help=(
                "quarter：季度检查；quarters：计算并保存四个季度；year：年度评定；jobs：两者；export：导出；"
                "pages：页面；archive：最大支部的年度台账和查找会议记录"
            ),
        )
        parser.add_argument("--results", help="把结果（每行一个 JSON）追加到这个文件")
        parser.add_argument("--report", help="读取结果文件，打印对照表并检查目标")

    def handle(self, *args, year, step, results, report, **options):
        if report:
            table, met = benchmarks.report(benchmarks.load(report))
            self.stdout.write(table)
            self.stdout.write(json.dumps(benchmarks.machine(), ensure_ascii=False))
            if not met:
                self.stdout.write(self.style.WARNING("未全部达到目标（见上表）"))
            return
        if step is None:
            raise CommandError("请指定 --step（quarter、year、jobs、export、pages 或 archive），或用 --report 打印结果")
        year = year or timezone.localdate().year - 1
        if not benchmarks.branch_count():
            raise CommandError("数据库中没有党支部：请先运行 seed_scale --branches N")
        if step == "quarter":
            lines = benchmarks.run_quarter(year)
        elif step == "quarters":
            benchmarks.compute_quarters(year)
            lines = []
        elif step == "year":
            lines = benchmarks.run_year(year)
        elif step == "jobs":
            lines = benchmarks.run_jobs(year)
        elif step == "pages":
            lines = pages.run_pages(year)
        elif step == "archive":
            lines = benchmarks.run_archive(year, today=date(year + 1, 4, 1)) + benchmarks.run_search(year)
        else:
            lines = benchmarks.run_export(year, today=date(year + 1, 4, 1))
        for line in lines:
            self.stdout.write(json.dumps(line, ensure_ascii=False))
        if results:
            benchmarks.dump(lines, results)
