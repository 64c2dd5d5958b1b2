from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessment.services.ratings import year_approve
from branches.access import scope_for


class Command(BaseCommand):
    help = "审批年度星级评定结果：公布星级、写入星级历史并开始公示"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--by", required=True, help="审批人的用户名（机关党委工作人员）")
        parser.add_argument("--days", type=int, default=5, help="公示期（工作日，5–30），默认 5")

    def handle(self, *args, year, by, days, **options):
        user = get_user_model().objects.filter(username=by).first()
        if user is None:
            raise CommandError(f"找不到用户“{by}”")
        if not scope_for(user).is_committee:
            raise CommandError(f"用户“{by}”不是机关党委工作人员，不能审批星级")
        try:
            year_rating = year_approve(year=year, by=user, working_days=days)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        count = year_rating.branches.filter(applied_level__isnull=False).count()
        notice = year_rating.notices.get(withdrawn_at__isnull=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"{year_rating}已审批：{count} 个支部的星级已公布，公示 {notice.working_days} 个工作日"
                f"（{notice.starts_on:%Y-%m-%d} 至 {notice.ends_on:%Y-%m-%d}）"
            )
        )
