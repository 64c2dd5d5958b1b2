"""Applications (申报), the year's rating proposal and its approval, and the star history."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.access import Scope, ScopedQuerySet, scope_for
from branches.models import OrgUnit
from core.choices import choice, choices

from .. import rating as rules
from .checks import JobStatus

# The rules' labels, translated for the pages (the rules write them untranslated into their reasons).
LEVEL_CHOICES = choices(rules.LEVEL_LABELS)
LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class BranchScopedQuerySet(ScopedQuerySet):
    unit_path_prefix = "branch__"


class Application(models.Model):
    """A branch's application for a star level for a year (申报, 1–5)."""

    branch = models.ForeignKey(OrgUnit, verbose_name=_("支部"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.PositiveSmallIntegerField(_("申报星级"), choices=LEVEL_CHOICES, validators=LEVEL_VALIDATORS)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    applied_at = models.DateTimeField(_("申报时间"), auto_now=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("星级申报")
        verbose_name_plural = _("星级申报")
        ordering = ["-year", "branch__code"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="unique_application"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="application_level_1_5"),
        ]

    def __str__(self):
        return f"{self.branch} {self.year} {self.level}"


class YearRating(models.Model):
    """The year's rating: computed as a proposal, published only by the committee's approval."""

    class Status(models.TextChoices):
        PENDING = choice(rules.PENDING, rules.YEAR_STATUS_LABELS)
        PROPOSED = choice(rules.PROPOSED, rules.YEAR_STATUS_LABELS)
        APPROVED = choice(rules.APPROVED, rules.YEAR_STATUS_LABELS)

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    status = models.CharField(_("审批状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    job_status = models.CharField(_("计算状态"), max_length=10, choices=JobStatus.choices, blank=True)
    job_message = models.TextField(_("计算说明"), blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    proposed_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Renewed by the task while it runs (core.tasks); a running job silent too long lost its worker.
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)

    # Approvals and reversals (a reversal's reason is the entry's note); the jobs' progress is not audit.
    history = HistoricalRecords(excluded_fields=["job_status", "job_message", "requested_at", "heartbeat_at"])

    class Meta:
        verbose_name = _("年度星级评定")
        verbose_name_plural = _("年度星级评定")
        ordering = ["-year"]

    def __str__(self):
        return gettext("%(year)s年度星级评定") % {"year": self.year}

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class BranchRatingQuerySet(BranchScopedQuerySet):
    def published(self):
        return self.filter(rating__status=YearRating.Status.APPROVED)

    def for_viewer(self, user_or_scope):
        """What a user may read: the committee sees proposals, everyone else approved years only."""
        scope = user_or_scope if isinstance(user_or_scope, Scope) else scope_for(user_or_scope)
        visible = self.visible_to(scope)
        return visible if scope.is_committee else visible.published()


class BranchRating(models.Model):
    """One branch's line in the year's rating: the numbers, the level and the reasons for it."""

    class ActionChoice(models.TextChoices):
        UP = choice(rules.Action.UP, rules.ACTION_LABELS)
        DOWN = choice(rules.Action.DOWN, rules.ACTION_LABELS)
        RESTORE = choice(rules.Action.RESTORE, rules.ACTION_LABELS)
        SAME = choice(rules.Action.SAME, rules.ACTION_LABELS)
        FIRST = choice(rules.Action.FIRST, rules.ACTION_LABELS)

    rating = models.ForeignKey(YearRating, on_delete=models.CASCADE, related_name="branches")
    branch = models.ForeignKey(OrgUnit, verbose_name=_("支部"), on_delete=models.CASCADE, related_name="+")
    applied_level = models.PositiveSmallIntegerField(_("申报星级"), null=True, blank=True)
    q1 = models.DecimalField(_("第一季度"), max_digits=6, decimal_places=2)
    q2 = models.DecimalField(_("第二季度"), max_digits=6, decimal_places=2)
    q3 = models.DecimalField(_("第三季度"), max_digits=6, decimal_places=2)
    q4 = models.DecimalField(_("第四季度"), max_digits=6, decimal_places=2)
    quarter_mean = models.DecimalField(_("季度检查平均分"), max_digits=6, decimal_places=2)
    annual = models.DecimalField(_("年度考评得分"), max_digits=6, decimal_places=2)
    score = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2)
    # Annual assessment points per aspect code, as strings of 2-decimal numbers.
    aspects = models.JSONField(_("各方面得分"), default=dict)
    overdue_problems = models.PositiveIntegerField(_("逾期问题数"), default=0)
    band_level = models.PositiveSmallIntegerField(_("分数段星级"))
    proposed_level = models.PositiveSmallIntegerField(_("计算星级"), null=True, blank=True)
    previous_level = models.PositiveSmallIntegerField(_("上次核定星级"), null=True, blank=True)
    action = models.CharField(_("变动"), max_length=10, choices=ActionChoice.choices, blank=True)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    capped = models.BooleanField(_("受申报星级限制"), default=False)
    over_quota = models.BooleanField(_("超出五星名额"), default=False)
    reasons = models.JSONField(_("评定理由"), default=list)  # why the computed level
    # The branch's place among the year's five-star candidates when the quota applied (reasons say it too).
    quota_rank = models.PositiveSmallIntegerField(_("五星名额排名"), null=True, blank=True)
    # The action and flags of the level that counts (the override's, once there is one), explained.
    consequences = models.JSONField(_("变动与标记说明"), default=list)
    override_level = models.PositiveSmallIntegerField(
        _("调整后星级"), null=True, blank=True, choices=LEVEL_CHOICES, validators=LEVEL_VALIDATORS
    )
    override_reason = models.TextField(_("调整理由"), blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    overridden_at = models.DateTimeField(null=True, blank=True)
    # The rules an adjustment broke, confirmed by the committee when it made it (突破一票否决, 超出五星比例).
    override_warnings = models.JSONField(_("调整突破的规则"), default=list, blank=True)

    objects = BranchRatingQuerySet.as_manager()
    # Not stored: filled in for the pages by assessment.publication.selectors (attach_notes, public_lines).
    level_notes: list[str]
    explanation: str
    is_adjusted: bool
    objection_count: int
    answered_count: int
    # The committee's word only: the computed columns are the job's, rewritten in bulk by every run.
    history = HistoricalRecords(
        excluded_fields=[
            *("applied_level", "q1", "q2", "q3", "q4", "quarter_mean", "annual", "score", "aspects"),
            *("overdue_problems", "band_level", "proposed_level", "previous_level", "action", "vetoed"),
            *("capped", "over_quota", "reasons", "consequences", "quota_rank", "overridden_by", "overridden_at"),
        ]
    )

    class Meta:
        verbose_name = _("支部星级评定")
        verbose_name_plural = _("支部星级评定")
        ordering = ["rating", "-score", "branch__code"]
        constraints = [models.UniqueConstraint(fields=["rating", "branch"], name="unique_branch_rating")]

    def __str__(self):
        return f"{self.branch} {self.rating.year}"

    @property
    def level(self) -> int | None:
        """The level the year gives: the committee's override if any, else the computed one."""
        return self.override_level if self.override_level is not None else self.proposed_level

    @property
    def is_lagging(self) -> bool:
        return self.applied_level is None

    @property
    def flags(self) -> rules.Flags:
        return rules.flags_for(self.level)

    @property
    def flag_labels(self) -> list[str]:
        """The flags' names in the reader's language (rules.Flags.labels are the rules' Chinese)."""
        return [gettext(label) for label in self.flags.labels]

    @property
    def quarter_scores(self) -> dict:
        return {1: self.q1, 2: self.q2, 3: self.q3, 4: self.q4}


class StarHistory(models.Model):
    """A branch's approved level for a year: written by approval, or imported for years before the app."""

    class Source(models.TextChoices):
        APPROVED = "approved", _("审批")
        IMPORTED = "imported", _("导入")

    branch = models.ForeignKey(OrgUnit, verbose_name=_("支部"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.PositiveSmallIntegerField(_("星级"), choices=LEVEL_CHOICES, validators=LEVEL_VALIDATORS)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("星级历史")
        verbose_name_plural = _("星级历史")
        ordering = ["branch__code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="unique_star_history"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="star_history_level_1_5"),
        ]

    def __str__(self):
        return f"{self.branch} {self.year} {self.level}"


class RatingReversal(models.Model):
    """撤销审批: who reopened an approved year, when and why. The only way an approved year changes."""

    rating = models.ForeignKey(YearRating, on_delete=models.CASCADE, related_name="reversals")
    reason = models.TextField(_("撤销理由"))
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reversed_at = models.DateTimeField(_("撤销时间"), auto_now_add=True)
    # The approval being reversed, for the record.
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("撤销审批记录")
        verbose_name_plural = _("撤销审批记录")
        ordering = ["-reversed_at"]

    def __str__(self):
        return f"{self.rating} {self.reversed_at:%Y-%m-%d}"
