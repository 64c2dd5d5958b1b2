"""python manage.py export_archive --unit CODE --year Y --out FILE.pdf: a year archive (年度台账) from the command line.

A branch's code gives its PDF; a general branch's or the committee's code a zip of its branches' PDFs
(--out then names a .zip). The same files the web page's job builds.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from activities.archive import services
from branches.models import OrgUnit


class PrintedProgress(services.Progress):
    def __init__(self, out):
        self.out = out
        self.total = 0

    def begin(self, total: int) -> None:
        self.total = total

    def step(self, done: int, text: str) -> None:
        if text:
            self.out.write(f"[{done + 1}/{self.total}] {text}")


class Command(BaseCommand):
    help = "生成年度台账：党支部一个 PDF；党总支或机关党委为其下全部支部的 PDF 打包成一个 zip。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="单位代码（党支部、党总支或机关党委）")
        parser.add_argument("--year", required=True, type=int, help="年度，如 2025")
        parser.add_argument("--out", required=True, help="输出文件（党支部 .pdf，党总支或机关党委 .zip）")
        parser.add_argument("--quiet", action="store_true", help="不显示进度")

    def handle(self, *args, unit, year, out, quiet=False, **options):
        try:
            target = OrgUnit.objects.get(code=unit)
        except OrgUnit.DoesNotExist as exc:
            raise CommandError(f"单位代码“{unit}”不存在") from exc
        if target.kind == OrgUnit.Kind.GROUP:
            raise CommandError(f"“{target.name}”是党小组：年度台账按党支部生成，请用其所在支部的代码")
        if not 2000 <= year <= timezone.localdate().year:
            raise CommandError(f"年度须在 2000–{timezone.localdate().year} 之间，不能是 {year}")
        suffix = ".pdf" if target.kind == OrgUnit.Kind.BRANCH else ".zip"
        if not out.lower().endswith(suffix):
            raise CommandError(f"“{target.name}”的年度台账是 {suffix} 文件，--out 请以 {suffix} 结尾")
        progress = services.Progress() if quiet else PrintedProgress(self.stdout)
        try:
            branches, pages = services.archive_write(unit=target, year=year, out=out, progress=progress)
        except OSError as exc:
            raise CommandError(f"无法写入 {out}：{exc.strerror}") from exc
        what = f"{branches} 个支部、" if suffix == ".zip" else ""
        self.stdout.write(self.style.SUCCESS(f"已生成 {out}：{what}共 {pages} 页"))
