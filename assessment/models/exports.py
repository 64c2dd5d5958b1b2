"""Export jobs of the year-end workbook (年度考核表): who asked, for which part, how far it has got."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.access import Scope, ScopedQuerySet
from branches.models import OrgUnit
from core.jobs import JobRow


class ExportJobQuerySet(ScopedQuerySet):
    unit_path_prefix = "unit__"

    def scope_q(self, scope: Scope) -> models.Q:
        # A job and its file belong to whoever asked, and only while they still manage what it covers:
        # a committee export holds proposals not yet approved, which a branch must not see.
        own = models.Q(requested_by_id=scope.user_id)
        if scope.is_committee:
            return own
        return own & scope.unit_q(self.unit_path_prefix, scope.manager_paths)


class ExportJob(JobRow):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    year = models.PositiveSmallIntegerField(_("年度"))
    # The unit whose branches the workbook covers; empty for the whole organisation (committee only).
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("导出范围"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The committee sees proposals before approval; everyone else only approved years.
    include_proposals = models.BooleanField(_("含待审批结果"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    sheet = models.CharField(_("当前工作表"), max_length=20, blank=True)
    sheets_done = models.PositiveSmallIntegerField(_("已完成工作表"), default=0)
    rows_done = models.PositiveIntegerField(_("已写入行数"), default=0)
    rows_total = models.PositiveIntegerField(_("预计行数"), default=0)
    file = models.FileField(_("文件"), upload_to="yearbook/", max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)

    objects = ExportJobQuerySet.as_manager()
    # Who exported what and when, kept after the job and its file are pruned. Progress is written with
    # update() and is not audit.
    history = HistoricalRecords(
        excluded_fields=[
            *("status", "sheet", "sheets_done", "rows_done", "rows_total", "message", "file", "size"),
            *("attempts", "created_at", "started_at", "finished_at", "heartbeat_at"),
        ]
    )

    class Meta:
        verbose_name = _("年度考核表导出")
        verbose_name_plural = _("年度考核表导出")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "created_at"])]

    def __str__(self):
        return f"{self.year}年度考核表（{self.unit or '全部党支部'}）"
