"""Quarterly checks (季度检查): indicator scores, the problem list (问题清单) and its evidence."""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, IntegerField, When
from django.db.models.functions import Cast, Coalesce, Round
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.access import ScopedQuerySet
from branches.models import OrgUnit

from .standard import Indicator

YEAR_QUARTER = 0  # Score.quarter / Problem.quarter for the year as a whole (年度)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class QuarterCheck(models.Model):
    """A quarter's computation run: when it was asked for, when it finished, how it went."""

    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    requested_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # The day the records were read as of: a quarter computed before its end is computed again later.
    as_of = models.DateField(_("数据截至"), null=True, blank=True)
    branch_count = models.PositiveIntegerField(_("支部数"), default=0)
    message = models.TextField(_("说明"), blank=True)
    # Renewed by the task while it runs (core.tasks); a running job silent too long lost its worker.
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("季度检查")
        verbose_name_plural = _("季度检查")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="unique_quarter_check"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="quarter_check_1_4"),
        ]

    def __str__(self):
        return gettext("%(year)s年第%(quarter)s季度检查") % {"year": self.year, "quarter": self.quarter}


class ScoreQuerySet(ScopedQuerySet):
    unit_path_prefix = "branch__"

    def with_value(self):
        """Annotate `value`: the checker's score where one was entered, else the computed one."""
        return self.annotate(value=Coalesce("manual", "computed"))

    def with_cents(self):
        """Annotate `value` (with_value) and `cents`, it in whole cents: scores have 2 decimals, so
        cents are exact (rounded, for SQLite's floating point)."""
        return self.with_value().annotate(cents=Cast(Round(F("value") * 100), IntegerField()))

    def with_note(self):
        """Annotate `note`: the note that goes with `value` (Score.explanation, for plain rows)."""
        return self.annotate(note=Case(When(manual__isnull=False, then=F("manual_note")), default=F("computed_note")))

    def of_year(self, year: int):
        return self.filter(indicator__standard__year=year)


class Score(models.Model):
    """One branch's points on one indicator for one quarter (or, with quarter 0, for the year).

    The computed and the checker's values live side by side: re-running a check rewrites only the
    computed columns, so a manual score or override is never lost.
    """

    # No index of its own: unique_score's leading column serves every lookup by branch. A quarter's
    # check inserts a province's scores at once, and each index is written for every row.
    branch = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", db_index=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="scores")
    quarter = models.PositiveSmallIntegerField(_("季度"), help_text=_("1–4；0 表示年度指标"))
    computed = models.DecimalField(_("自动计算得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    computed_note = models.TextField(_("计算说明"), blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    manual = models.DecimalField(_("检查评分"), max_digits=6, decimal_places=2, null=True, blank=True)
    manual_note = models.TextField(_("评分说明"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    entered_at = models.DateTimeField(null=True, blank=True)

    objects = ScoreQuerySet.as_manager()
    # Checkers' scores, who entered them and why. The computed columns are the jobs' (written by COPY).
    history = HistoricalRecords(
        excluded_fields=["computed", "computed_note", "computed_at", "entered_by", "entered_at"]
    )

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        ordering = ["branch", "indicator__position", "quarter"]
        # Only checkers' scores have a user: computed rows stay out of the index (deleting a user
        # looks for theirs).
        indexes = [
            models.Index(fields=["entered_by"], condition=models.Q(entered_by__isnull=False), name="score_entered_by"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["branch", "indicator", "quarter"], name="unique_score"),
            models.CheckConstraint(condition=models.Q(quarter__lte=4), name="score_quarter_0_4"),
        ]

    def __str__(self):
        return f"{self.branch} {self.indicator.code} Q{self.quarter}"

    @property
    def effective(self):
        return self.manual if self.manual is not None else self.computed

    @property
    def explanation(self) -> str:
        return self.manual_note if self.manual is not None else self.computed_note


class ProblemQuerySet(ScopedQuerySet):
    unit_path_prefix = "branch__"

    def open(self):
        return self.filter(closed_on__isnull=True)

    def overdue(self, today):
        return self.open().filter(deadline__lt=today)


class Problem(models.Model):
    """An item of a check's problem list, or the rectification opened for a lagging branch."""

    class Kind(models.TextChoices):
        CHECK = "check", _("检查发现")
        LAGGING = "lagging", _("后进党支部整改")

    branch = models.ForeignKey(OrgUnit, verbose_name=_("支部"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), default=YEAR_QUARTER)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.CHECK)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("相关指标"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    description = models.TextField(_("问题"))
    found_on = models.DateField(_("发现日期"))
    deadline = models.DateField(_("整改期限"))
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    close_note = models.TextField(_("销号意见"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题清单")
        verbose_name_plural = _("问题清单")
        ordering = ["closed_on", "deadline", "pk"]
        indexes = [models.Index(fields=["branch", "deadline"])]
        constraints = [
            # One lagging rectification per branch and year, however often the year is rated.
            models.UniqueConstraint(
                fields=["branch", "year"], condition=models.Q(kind="lagging"), name="unique_lagging_problem"
            ),
        ]

    def __str__(self):
        return self.description[:40]

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


class EvidenceQuerySet(ScopedQuerySet):
    unit_path_prefix = "problem__branch__"


class Evidence(models.Model):
    """整改材料: a file the branch uploads to show a problem was fixed. Served only through a scoped view."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改材料")
        verbose_name_plural = _("整改材料")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name
