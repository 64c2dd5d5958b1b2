"""An import of a spreadsheet (roster, ledger, scores, recruits): the job a page polls while a large
file is imported in the background, and the record of what was wrong with a file that was refused."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.jobs import JobRow


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Only the person who uploaded the file sees its job: it holds their file and its errors."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(requested_by=user)


class ImportJob(JobRow):
    class Kind(models.TextChoices):
        ROSTER = "roster", _("党员名册")
        LEDGER = "ledger", _("三会一课台账")
        SCORES = "scores", _("评分")
        RECRUITS = "recruits", _("发展党员")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("处理中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    check_only = models.BooleanField(_("只检查不写入"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("当前步骤"), max_length=40, blank=True)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    # The first IMPORT_ERRORS_SHOWN errors ({"sheet", "row", "column", "message"}); all of them are
    # in error_file, the upload marked row by row.
    errors = models.JSONField(_("错误"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    error_file = models.FileField(_("错误标注文件"), upload_to="imports/errors/", max_length=200, blank=True)
    upload = models.FileField(_("上传文件"), upload_to="imports/uploads/", max_length=200, blank=True)
    upload_name = models.CharField(_("上传文件名"), max_length=200, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        return self.percent_of(self.done, self.total)

    @property
    def more_errors(self) -> int:
        """Errors not listed on the page (they are in the marked workbook)."""
        return max(0, self.error_count - len(self.errors))
