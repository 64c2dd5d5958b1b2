"""python manage.py compliance_gaps [--rebuild]: store the compliance overview's gaps now.

Beat does this every minute for the branches written to (COMPLIANCE_GAPS_CRON) and anew every night;
run it by hand after a deployment that changed the compliance rules (--rebuild), or after loading a
database, so that the first visitors of 完成情况 need not wait for beat. PostgreSQL only.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from activities import gaps


class Command(BaseCommand):
    help = "计算并保存三会一课完成情况的缺项（默认只算有变动的支部和尚未计算的年度；--rebuild 全部重算）。"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="全部重算（规则变更后使用）")

    def handle(self, *args, rebuild=False, **options):
        if not gaps.supported():
            raise CommandError("只有 PostgreSQL 数据库保存缺项；SQLite 下完成情况按规则现算，无需此命令。")
        started = time.monotonic()
        done = gaps.gaps_rebuild_all() if rebuild else gaps.gaps_refresh()
        self.stdout.write(f"已计算 {done} 个支部的缺项，用时 {time.monotonic() - started:.1f} 秒。")
