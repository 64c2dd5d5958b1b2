"""`python manage.py send_notices [--today YYYY-MM-DD] [--dry-run]`: the daily job, by hand.

The same service the beat job calls (notices.services.notices_send_due). One line per new notice with
its channels, then one per mail or group message. Mails and messages go through the `deliver` task:
in-process in the embedded default (the command then prints how each went), to the workers when
REDIS_URL is set (the command then says they are queued).
"""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from notices import services
from notices.models import Delivery


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--today 应为 YYYY-MM-DD 格式的日期，不能是“{text}”") from exc


class Command(BaseCommand):
    help = (
        "计算截至某天应发的提醒并发送（站内通知、邮件每日汇总和即时提醒、群机器人消息）；"
        "--dry-run 只列出，不记录也不发送"
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=str, help="按这一天计算（YYYY-MM-DD），默认今天")
        parser.add_argument("--dry-run", action="store_true", help="只列出将要发送的提醒，不记录、不发送")

    def handle(self, *args, today=None, dry_run=False, **options):
        day = _day(today) if today else None
        # Output and stored text are Chinese, whatever the shell's locale.
        with translation.override(settings.LANGUAGE_CODE):
            self._run(day, dry_run)

    def _run(self, day, dry_run):
        report = services.notices_send_due(today=day, dry_run=dry_run)
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(report.summary + ("（试运行，未记录、未发送）" if dry_run else "")))
        if dry_run or not report.delivery_ids:
            return
        counts = {status: 0 for status in Delivery.Status.values}
        for delivery in Delivery.objects.filter(pk__in=report.delivery_ids).order_by("pk"):
            counts[delivery.status] += 1
            if delivery.status == Delivery.Status.FAILED or (delivery.status == Delivery.Status.RETRYING):
                self.stderr.write(f"{delivery.get_channel_display()} {delivery.address}：{delivery.error}")
        labels = dict(Delivery.Status.choices)
        done = "，".join(f"{labels[s]} {n}" for s, n in counts.items() if n)
        self.stdout.write(f"邮件和群消息：{done}")
