"""python manage.py export_dues --year Y --out FILE [--unit CODE]: the year's 党费台账 and 汇总."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from branches.models import OrgUnit
from dues.exports import workbook_write


class Command(BaseCommand):
    help = "导出某年度的党费台账（工作表“党费台账”“汇总”）为 .xlsx；可用 --unit 限定某个党组织及其下级"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度，如 2026")
        parser.add_argument("--out", required=True, help="要写入的 .xlsx 文件")
        parser.add_argument("--unit", help="党组织编码（机关党委、党总支或党支部）；不填则导出全部党支部")

    def handle(self, *args, year, out, unit=None, **options):
        today = timezone.localdate()
        if not 2000 <= year <= today.year:
            raise CommandError(f"年度须在2000–{today.year}之间")
        scope_unit = None
        if unit:
            scope_unit = OrgUnit.objects.filter(code=unit).first()
            if scope_unit is None:
                raise CommandError(f"没有编码为“{unit}”的党组织")
            if scope_unit.kind == OrgUnit.Kind.GROUP:
                raise CommandError(f"“{unit}”是党小组；请填写机关党委、党总支或党支部的编码")
        try:
            members, branches = workbook_write(year=year, out=out, unit=scope_unit, today=today)
        except OSError as exc:
            raise CommandError(f"无法写入文件{out}：{exc.strerror}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"已导出{year}年度党费台账：{members}行，汇总{branches}个党支部，写入{out}")
        )
