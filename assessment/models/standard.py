"""The year's five-star standard: its parameters, aspects and indicators (DOMAIN.md)."""

from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .. import rating
from .. import standard as spec


class Standard(models.Model):
    """One year's rules. Editable by the committee until the year's first check, then locked."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    band_five = models.DecimalField(_("五星分数线"), max_digits=5, decimal_places=2)
    band_four = models.DecimalField(_("四星分数线"), max_digits=5, decimal_places=2)
    band_three = models.DecimalField(_("三星分数线"), max_digits=5, decimal_places=2)
    band_two = models.DecimalField(_("二星分数线"), max_digits=5, decimal_places=2)
    quarter_weight = models.DecimalField(_("季度检查权重（%）"), max_digits=5, decimal_places=2)
    annual_weight = models.DecimalField(_("年度考评权重（%）"), max_digits=5, decimal_places=2)
    five_star_quota = models.DecimalField(_("五星名额比例（%）"), max_digits=5, decimal_places=2)
    veto_aspect = models.CharField(_("一票否决方面"), max_length=8, blank=True)
    lagging_deadline_days = models.PositiveSmallIntegerField(_("后进党支部整改期限（天）"))
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    copied_from = models.PositiveSmallIntegerField(_("复制自年度"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("星级评定标准")
        verbose_name_plural = _("星级评定标准")
        ordering = ["-year"]

    def __str__(self):
        return gettext("%(year)s年度星级评定标准") % {"year": self.year}

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def parameters(self) -> dict:
        return {name: getattr(self, name) for name in spec.DEFAULT_PARAMETERS}


class Aspect(models.Model):
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="aspects")
    code = models.CharField(_("编码"), max_length=8)
    name = models.CharField(_("名称"), max_length=50)
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("评定方面")
        verbose_name_plural = _("评定方面")
        ordering = ["standard", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="unique_aspect_code")]

    def __str__(self):
        return f"{self.code} {self.name}"


class Indicator(models.Model):
    class Mode(models.TextChoices):
        AUTO = spec.AUTO, _("自动")
        MANUAL = spec.MANUAL, _("人工")

    # "frequency": 季度/年度 here say how often (quarterly/yearly), elsewhere they name a quarter or year.
    class Frequency(models.TextChoices):
        QUARTERLY = spec.QUARTERLY, pgettext_lazy("frequency", "季度")
        YEARLY = spec.YEARLY, pgettext_lazy("frequency", "年度")

    # The standard is reachable through the aspect too; it is kept here so a code is unique per year.
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="indicators")
    aspect = models.ForeignKey(Aspect, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("编码"), max_length=8)
    name = models.CharField(_("名称"), max_length=100)
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    mode = models.CharField(_("计分方式"), max_length=10, choices=Mode.choices)
    frequency = models.CharField(_("计分周期"), max_length=10, choices=Frequency.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("评定指标")
        verbose_name_plural = _("评定指标")
        ordering = ["standard", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="unique_indicator_code")]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_auto(self) -> bool:
        return self.mode == self.Mode.AUTO

    @property
    def is_quarterly(self) -> bool:
        return self.frequency == self.Frequency.QUARTERLY

    def as_def(self) -> rating.IndicatorDef:
        return rating.IndicatorDef(self.code, self.aspect.code, self.points, self.is_quarterly)
