from django.core.management.base import BaseCommand, CommandError

from branches.models import OrgUnit
from recruitment.models import Recruit
from recruitment.recruit_io import write_recruits
from recruitment.selectors import in_unit, recruits_of_year


class Command(BaseCommand):
    help = "把某一年的发展党员纪实（“发展党员纪实”表）导出为.xlsx工作簿，逐行写入"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度：当年在发展过程中的人员")
        parser.add_argument("--out", required=True, help="要写入的.xlsx文件")
        parser.add_argument("--unit", help="只导出这一组织（编码）及其下级")

    def handle(self, *args, year, out, unit=None, **options):
        if not 1900 <= year <= 2100:
            raise CommandError(f"年度{year}不合理")
        recruits = recruits_of_year(Recruit.objects.all(), year)
        if unit:
            found = OrgUnit.objects.filter(code=unit).first()
            if found is None:
                raise CommandError(f"找不到编码为“{unit}”的组织")
            recruits = in_unit(recruits, found)
        try:
            with open(out, "wb") as handle:
                count = write_recruits(recruits, handle)
        except OSError as exc:
            raise CommandError(f"无法写入文件{out}：{exc.strerror}") from exc
        self.stdout.write(self.style.SUCCESS(f"已导出{year}年发展党员纪实{count}人到{out}"))
