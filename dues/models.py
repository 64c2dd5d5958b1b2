"""党费: the year's settings, members' bases, payments, approved 免交/缓交, remittances, and the
import/export jobs. The rules that turn them into dues owed are in dues/rules.py."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from branches.access import Scope, ScopedQuerySet
from branches.models import OrgUnit
from core.jobs import JobRow
from members.models import Member

from . import rules

MONEY = {"max_digits": 12, "decimal_places": 2}
MONTH_VALIDATORS = [MinValueValidator(1), MaxValueValidator(12)]


class Category(models.TextChoices):
    EMPLOYED = rules.EMPLOYED, _("在职")
    RETIRED = rules.RETIRED, _("离退休")
    STUDENT = rules.STUDENT, _("学生")
    FIXED = rules.FIXED, _("其他固定额")


class Rounding(models.TextChoices):
    FEN = rules.FEN, _("四舍五入到分")
    JIAO = rules.JIAO, _("四舍五入到角")
    YUAN = rules.YUAN, _("四舍五入到元")


class MonthState(models.TextChoices):
    """The rules' states of a member-month (rules.MonthDues.state), labelled for the pages."""

    PAID = rules.PAID, _("按时交纳")
    LATE = rules.LATE, _("补交")
    PARTIAL = rules.PARTIAL, _("未交足")
    UNPAID = rules.UNPAID, _("未交")
    NO_BASE = rules.NO_BASE, _("未核定基数")
    EXEMPT = rules.EXEMPT, _("免交")
    DEFERRED = rules.DEFERRED, _("缓交")


class DuesYear(models.Model):
    """A year the dues ledger is kept for, and how its amounts are rounded (the committee's choice).

    The earliest year is where the ledger begins: months before it are outside the ledger, so they
    are neither owed nor counted in a run of unpaid months.
    """

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    rounding = models.CharField(_("金额取整"), max_length=10, choices=Rounding.choices, default=Rounding.FEN)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("党费年度设置")
        verbose_name_plural = _("党费年度设置")
        ordering = ["-year"]

    def __str__(self):
        return gettext("%(year)s年度党费") % {"year": self.year}


class OwnOrScopedQuerySet(ScopedQuerySet):
    """Rows of a branch's dues: the branch's managers see them, and a member sees their own."""

    unit_path_prefix = "branch__"

    def scope_q(self, scope: Scope) -> models.Q:
        q = scope.unit_q(self.unit_path_prefix)
        if scope.member_id is not None:
            q |= models.Q(member_id=scope.member_id)
        return q


class DuesBaseQuerySet(OwnOrScopedQuerySet):
    # A base belongs to the member; the branch they are in now keeps it.
    unit_path_prefix = "member__branch__"


class DuesBase(models.Model):
    """计算基数: a member's category and base for a year, from a month on (a change mid-year is a new
    row from the month it takes effect). `monthly_due` is computed by the rules when the row is
    saved (and again when the year's rounding changes), so sums over a province need no rules in SQL."""

    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="dues_bases")
    year = models.PositiveSmallIntegerField(_("年度"))
    from_month = models.PositiveSmallIntegerField(_("起始月份"), default=1, validators=MONTH_VALIDATORS)
    category = models.CharField(_("类别"), max_length=10, choices=Category.choices)
    base = models.DecimalField(
        _("计算基数"),
        **MONEY,
        null=True,
        blank=True,
        help_text=_("每月税后工资或离退休费（元）；其他固定额填每月交纳金额"),
    )
    rate = models.DecimalField(_("比例"), max_digits=6, decimal_places=4, null=True, blank=True)
    monthly_due = models.DecimalField(_("月应交"), **MONEY)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    objects = DuesBaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("党费计算基数")
        verbose_name_plural = _("党费计算基数")
        ordering = ["member", "year", "from_month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year", "from_month"], name="unique_dues_base_month"),
            models.CheckConstraint(condition=models.Q(from_month__gte=1, from_month__lte=12), name="dues_base_month"),
        ]
        indexes = [models.Index(fields=["year", "member"])]

    def __str__(self):
        return f"{self.member} · {self.year}-{self.from_month:02d} · {self.monthly_due}"

    def as_row(self) -> rules.BaseRow:
        return rules.BaseRow(self.year, self.from_month, self.category, self.base, self.monthly_due)


class DuesPayment(models.Model):
    """One payment of a member's dues for one month. A month may have several (a partial payment and
    the rest later); a payment dated after the month's end is a back payment (补交).

    `branch` is the branch that collected it: the branch the member belonged to in that month."""

    class Source(models.TextChoices):
        FORM = "form", _("逐笔登记")
        COLLECTION = "collection", _("按月收缴")
        IMPORT = "import", _("文件导入")

    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="dues_payments")
    branch = models.ForeignKey(OrgUnit, verbose_name=_("收缴支部"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("所属月份"), help_text=_("该月第一天"))
    amount = models.DecimalField(_("实交金额"), **MONEY)
    paid_on = models.DateField(_("交纳日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    source = models.CharField(_("登记方式"), max_length=12, choices=Source.choices, default=Source.FORM)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = OwnOrScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("党费交纳记录")
        verbose_name_plural = _("党费交纳记录")
        ordering = ["month", "paid_on", "pk"]
        indexes = [models.Index(fields=["member", "month"]), models.Index(fields=["branch", "month"])]

    def __str__(self):
        return f"{self.member} · {self.month:%Y-%m} · {self.amount}"

    @property
    def is_back_payment(self) -> bool:
        return self.paid_on > rules.Month.of(self.month).last


class DuesExemption(models.Model):
    """An approved 免交 (nothing owed) or 缓交 (still owed, not counted as unpaid without a reason)
    for a run of months, with who approved it and when."""

    class Kind(models.TextChoices):
        EXEMPT = rules.EXEMPT, _("免交")
        DEFERRED = rules.DEFERRED, _("缓交")

    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="dues_exemptions")
    branch = models.ForeignKey(OrgUnit, verbose_name=_("登记支部"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    first_month = models.DateField(_("起始月份"))
    last_month = models.DateField(_("截止月份"))
    reason = models.CharField(_("理由"), max_length=200)
    approved_by = models.CharField(_("批准组织"), max_length=100, help_text=_("如：XX党支部支委会、机关党委"))
    approved_on = models.DateField(_("批准日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = OwnOrScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("党费免交/缓交")
        verbose_name_plural = _("党费免交/缓交")
        ordering = ["first_month", "pk"]
        indexes = [models.Index(fields=["member", "first_month"])]

    def __str__(self):
        return f"{self.member} · {self.get_kind_display()} · {self.first_month:%Y-%m}—{self.last_month:%Y-%m}"

    def as_excuse(self) -> rules.Excuse:
        return rules.Excuse(self.kind, rules.Month.of(self.first_month), rules.Month.of(self.last_month))


class RemittanceQuerySet(ScopedQuerySet):
    unit_path_prefix = "branch__"


class Remittance(models.Model):
    """上缴: money a branch passed on to the committee, and the months of the year it covers."""

    branch = models.ForeignKey(OrgUnit, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    first_month = models.PositiveSmallIntegerField(_("起始月份"), validators=MONTH_VALIDATORS)
    last_month = models.PositiveSmallIntegerField(_("截止月份"), validators=MONTH_VALIDATORS)
    amount = models.DecimalField(_("上缴金额"), **MONEY)
    remitted_on = models.DateField(_("上缴日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = RemittanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("党费上缴")
        verbose_name_plural = _("党费上缴")
        ordering = ["year", "first_month", "remitted_on", "pk"]
        indexes = [models.Index(fields=["branch", "year"])]

    def __str__(self):
        return f"{self.branch} · {self.year}年{self.first_month}–{self.last_month}月 · {self.amount}"


class DuesJobQuerySet(ScopedQuerySet):
    unit_path_prefix = "unit__"

    def scope_q(self, scope: Scope) -> models.Q:
        # A job, its upload and its file are seen only by whoever asked for it.
        return models.Q(requested_by_id=scope.user_id)


class DuesJob(JobRow):
    """An import or an export of the dues workbook, run by a Celery task while a page polls it."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("导入")
        EXPORT = "export", _("导出")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("处理中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    # An export's part of the organisation; empty for everything (committee only).
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("范围"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    check_only = models.BooleanField(_("只检查不写入"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("当前步骤"), max_length=40, blank=True)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    # Each error of an import: {"sheet", "row", "column", "message"}.
    errors = models.JSONField(_("错误"), default=list, blank=True)
    upload = models.FileField(_("上传文件"), upload_to="dues/uploads/", max_length=200, blank=True)
    upload_name = models.CharField(_("上传文件名"), max_length=200, blank=True)
    file = models.FileField(_("文件"), upload_to="dues/exports/", max_length=200, blank=True)

    objects = DuesJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("党费导入导出")
        verbose_name_plural = _("党费导入导出")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        return self.percent_of(self.done, self.total)
