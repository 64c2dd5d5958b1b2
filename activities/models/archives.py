"""Year archive jobs (年度台账): who asked for which unit's year, how far the PDF (or zip) has got."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from branches.access import Scope, ScopedQuerySet
from branches.models import OrgUnit
from core.jobs import JobRow

__all__ = ["ArchiveJob"]


class ArchiveJobQuerySet(ScopedQuerySet):
    unit_path_prefix = "unit__"

    def scope_q(self, scope: Scope) -> models.Q:
        # An archive holds the records of the unit's branches: those who manage the unit (its
        # secretaries, those above, the committee) may download it, whoever asked for it.
        return scope.unit_q(self.unit_path_prefix, scope.manager_paths)


class ArchiveJob(JobRow):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    year = models.PositiveSmallIntegerField(_("年度"))
    # A branch (one PDF), or a general branch or the committee (a zip of its branches' PDFs).
    unit = models.ForeignKey(OrgUnit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("生成人"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(_("当前步骤"), max_length=200, blank=True)
    steps_done = models.PositiveIntegerField(_("已完成步骤"), default=0)
    steps_total = models.PositiveIntegerField(_("总步骤"), default=0)
    file = models.FileField(_("文件"), upload_to="archives/", max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)

    objects = ArchiveJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度台账")
        verbose_name_plural = _("年度台账")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["unit", "year"])]

    def __str__(self):
        return f"{self.unit}{self.year}年度台账"

    @property
    def is_zip(self) -> bool:
        return self.unit.kind != OrgUnit.Kind.BRANCH

    @property
    def percent(self) -> int:
        return self.percent_of(self.steps_done, self.steps_total)
