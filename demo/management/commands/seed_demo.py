"""`python manage.py seed_demo`: the demo court, with something to show on every page.

It lives in the demo app, above every other app, because it calls every feature's demo builder.
Each builder upserts its own data and takes the `DemoOrg` (today's date, the units, the logins)
built by the first one, so the whole demo is idempotent: running it again changes nothing.
"""

import time
from collections.abc import Callable
from datetime import date

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from demo import dues, meetings, notices, pledges, publication, ratings, recruitment
from demo.org import DEMO_PASSWORD, DemoOrg, seed_org_and_roster
from members.models import Member

# One line per feature, in dependency order: each is `builder(org: DemoOrg) -> None`.
DEMO_BUILDERS: list[tuple[str, Callable[[DemoOrg], object]]] = [
    ("三会一课", lambda org: meetings.seed_meetings(org.today, org)),
    ("承诺与评议", pledges.seed_pledges),
    ("党费", dues.seed_dues),
    ("星级评定", ratings.seed_ratings),
    ("评定公示", publication.seed_publication),
    ("发展党员", recruitment.seed_recruitment),
    ("通知提醒", notices.seed_notices),
]


class Command(BaseCommand):
    help = "建立（或更新）演示数据：XX市中级人民法院的党组织、党员名册和各角色演示账号。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            help="按这一天生成演示数据（YYYY-MM-DD），默认今天；用于复现某一天的演示",
        )

    def handle(self, *args, today=None, **options):
        today = today or timezone.localdate()
        self.verbosity = options["verbosity"]
        started = time.monotonic()
        # One transaction: all or nothing, and on SQLite a single commit is what keeps it fast.
        with transaction.atomic():
            org = seed_org_and_roster(today)
            self._done("组织与党员", started)
            for label, builder in DEMO_BUILDERS:
                step_started = time.monotonic()
                builder(org)
                self._done(label, step_started)
        members = Member.objects.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已就绪（{today:%Y-%m-%d}）：{len(org.branches)} 个党支部，{len(org.groups)} 个党小组，"
                f"{members} 名党员，用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
        self._print_accounts(org)

    def _done(self, label: str, started: float) -> None:
        if self.verbosity >= 2:
            self.stdout.write(f"  {label}：{time.monotonic() - started:.2f} 秒")

    def _print_accounts(self, org: DemoOrg) -> None:
        self.stdout.write(f"\n演示账号（仅供演示，切勿用于正式环境；密码均为 {DEMO_PASSWORD}）：")
        rows = [("用户名", "角色", "所在组织", "对应党员")] + [
            (a.username, a.role, a.unit, a.member) for a in org.accounts
        ]
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            self.stdout.write("  " + "  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True)))
        self.stdout.write("")


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
