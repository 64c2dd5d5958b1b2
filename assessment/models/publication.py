"""Publishing the rating (公示) and what stands behind it: the holiday calendar, each notice period,
objections (异议), interviews (约谈) and the supporting documents (佐证材料) of the hand-scored
indicators. The rules are in assessment/publication/rules.py."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.access import MATCH_ALL, Scope, ScopedQuerySet, scope_for
from branches.models import OrgUnit

from ..publication.rules import NoticeState
from .checks import Problem, Score
from .ratings import BranchScopedQuerySet, YearRating
from .standard import Indicator


class Holiday(models.Model):
    """A day the committee entered in the calendar: an official holiday, or a weekend day worked (调休)."""

    class Kind(models.TextChoices):
        OFF = "off", _("放假")
        WORKED = "worked", _("调休上班")

    day = models.DateField(_("日期"), unique=True)
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.OFF)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["-day"]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.name}"


NOTICE_STATE_LABELS = {
    NoticeState.OPEN: _("公示中"),
    NoticeState.AWAITING: _("待答复"),
    NoticeState.FINAL: _("已公示（最终）"),
    NoticeState.WITHDRAWN: _("已撤回"),
}


class PublicNotice(models.Model):
    """One 公示 period of a year's approved rating. Approving opens one; a reversal withdraws it and the
    next approval opens the next (number 2, 3 …), each with the reason it was put up."""

    rating = models.ForeignKey(YearRating, on_delete=models.CASCADE, related_name="notices")
    number = models.PositiveSmallIntegerField(_("公示次数"))
    opened_on = models.DateField(_("公示发布日"))
    starts_on = models.DateField(_("公示起始日"))
    ends_on = models.DateField(_("公示截止日"))
    working_days = models.PositiveSmallIntegerField(_("公示期（工作日）"))
    reason = models.TextField(_("公示说明"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撤回人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    withdrawn_reason = models.TextField(_("撤回理由"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评定结果公示")
        verbose_name_plural = _("评定结果公示")
        ordering = ["rating", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rating", "number"], name="unique_notice_number"),
            # At most one notice of a year stands at a time.
            models.UniqueConstraint(
                fields=["rating"], condition=models.Q(withdrawn_at__isnull=True), name="one_standing_notice"
            ),
        ]

    def __str__(self):
        return gettext("%(year)s年度第%(n)s次公示") % {"year": self.rating.year, "n": self.number}

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class ObjectionQuerySet(ScopedQuerySet):
    def scope_q(self, scope: Scope) -> models.Q:
        # The committee answers every objection and sees who raised it; anyone else sees their own
        # only: a signed objection is not to be read by the branch it is about or by other members.
        if scope.is_committee:
            return MATCH_ALL
        return models.Q(raised_by_id=scope.user_id)

    def managed_by(self, user_or_scope):
        """Only the committee answers objections."""
        scope = user_or_scope if isinstance(user_or_scope, Scope) else scope_for(user_or_scope)
        return self if scope.is_committee else self.none()

    def unanswered(self):
        return self.filter(answered_at__isnull=True)


class Objection(models.Model):
    """异议: a signed objection to one branch's line of a published rating, and the committee's answer."""

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("维持原评定")
        CHANGED = "changed", _("调整评定")

    notice = models.ForeignKey(
        PublicNotice, verbose_name=_("公示"), on_delete=models.CASCADE, related_name="objections"
    )
    branch = models.ForeignKey(OrgUnit, verbose_name=_("异议支部"), on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("异议内容"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.CASCADE, related_name="+"
    )
    raised_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    answer = models.TextField(_("答复"), blank=True)
    outcome = models.CharField(_("处理结果"), max_length=10, choices=Outcome.choices, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("答复人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    objects = ObjectionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["raised_at", "pk"]

    def __str__(self):
        return gettext("对%(branch)s的异议") % {"branch": self.branch}

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class Interview(models.Model):
    """约谈: the committee's talk with the secretary of a branch below three stars, on the record."""

    branch = models.ForeignKey(OrgUnit, verbose_name=_("支部"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("评定年度"))
    held_on = models.DateField(_("约谈日期"))
    interviewers = models.CharField(_("约谈人"), max_length=200)
    interviewee = models.CharField(_("被约谈人"), max_length=100)
    points = models.TextField(_("指出的问题"))
    commitments = models.TextField(_("整改承诺"))
    # The problems the interview opened: ordinary problems of the problem list, closed (销号) like any.
    problems = models.ManyToManyField(Problem, verbose_name=_("整改问题"), blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = BranchScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("约谈记录")
        verbose_name_plural = _("约谈记录")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["year", "branch"])]

    def __str__(self):
        return gettext("%(branch)s %(day)s 约谈") % {"branch": self.branch, "day": f"{self.held_on:%Y-%m-%d}"}


class SupportingDocument(models.Model):
    """佐证材料: a document a branch uploads to back one of the year's hand-scored indicators.

    Served only through a view that checks the reader may see the branch (MEDIA_ROOT is never served).
    """

    branch = models.ForeignKey(OrgUnit, verbose_name=_("支部"), on_delete=models.CASCADE, related_name="+")
    # The indicator of the year's standard, so the year is the indicator's.
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="supporting_documents"
    )
    title = models.CharField(_("材料说明"), max_length=100, blank=True)
    file = models.FileField(_("文件"), upload_to="supporting/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    # The checkers' scores whose notes cite this document.
    scores = models.ManyToManyField(Score, verbose_name=_("引用的评分"), blank=True, related_name="citations")

    objects = BranchScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["file"])

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["indicator__position", "uploaded_at", "pk"]
        indexes = [models.Index(fields=["branch", "indicator"])]

    def __str__(self):
        return self.title or self.original_name
