"""Forms of the dues pages. They check the shape of the input; the services check the rules."""

from django import forms
from django.forms import formset_factory
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import DateField
from core.uploads import import_file_field

from . import rules
from .models import Category, DuesExemption, Rounding


def _month_label(number: int) -> str:
    return gettext("%(m)s月") % {"m": number}


# Lazy: the labels are read in the language of each request, not the one the module was imported in.
MONTH_CHOICES = [(m, lazy(_month_label, str)(m)) for m in range(1, 13)]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money(label, required=True, **kwargs):
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        **kwargs,
    )


class YearSettingForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=rules.MIN_YEAR, max_value=2100)
    rounding = forms.ChoiceField(label=_("金额取整"), choices=Rounding.choices, initial=Rounding.FEN)


class BaseForm(forms.Form):
    from_month = forms.TypedChoiceField(label=_("起始月份"), choices=MONTH_CHOICES, coerce=int, initial=1)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    base = _money(
        _("计算基数（元/月）"), required=False, help_text=_("其他固定额填每月交纳金额（0.20–1.00元）；学生可空")
    )


class BaseRowForm(forms.Form):
    """One member's line of a branch's bases form (bases from January)."""

    member = forms.IntegerField(widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("类别"), choices=[("", "—"), *Category.choices], required=False)
    base = _money(_("计算基数"), required=False)


BaseRowFormSet = formset_factory(BaseRowForm, extra=0)


class PaymentForm(forms.Form):
    month = forms.TypedChoiceField(label=_("所属月份"), choices=MONTH_CHOICES, coerce=int)
    amount = _money(_("实交金额（元）"), min_value=rules.CENT)
    paid_on = DateField(label=_("交纳日期"), widget=DATE_INPUT, help_text=_("晚于所属月份月底即为补交"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class CollectionRowForm(forms.Form):
    """One member's line of a month's collection: ticked as paid, with the amount."""

    member = forms.IntegerField(widget=forms.HiddenInput)
    paid = forms.BooleanField(label=_("已交"), required=False)
    amount = _money(_("实交金额"), required=False, min_value=rules.CENT)

    def clean(self):
        data = super().clean()
        if data.get("paid") and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("请填写实交金额"))
        return data


CollectionRowFormSet = formset_factory(CollectionRowForm, extra=0)


class CollectionDateForm(forms.Form):
    paid_on = DateField(label=_("交纳日期"), widget=DATE_INPUT)


class ExemptionForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=DuesExemption.Kind.choices)
    first_month = forms.TypedChoiceField(label=_("起始月份"), choices=MONTH_CHOICES, coerce=int)
    last_month = forms.TypedChoiceField(label=_("截止月份"), choices=MONTH_CHOICES, coerce=int)
    reason = forms.CharField(label=_("理由"), max_length=200)
    approved_by = forms.CharField(label=_("批准组织"), max_length=100, help_text=_("如：XX党支部支委会、机关党委"))
    approved_on = DateField(label=_("批准日期"), widget=DATE_INPUT)


class RemittanceForm(forms.Form):
    first_month = forms.TypedChoiceField(label=_("起始月份"), choices=MONTH_CHOICES, coerce=int, initial=1)
    last_month = forms.TypedChoiceField(label=_("截止月份"), choices=MONTH_CHOICES, coerce=int, initial=6)
    amount = _money(_("上缴金额（元）"), min_value=rules.CENT)
    remitted_on = DateField(label=_("上缴日期"), widget=DATE_INPUT)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class UploadForm(forms.Form):
    file = import_file_field(label=_("党费工作簿（.xlsx）"))
    check_only = forms.BooleanField(label=_("只检查，不写入"), required=False)


class ExportForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=rules.MIN_YEAR, max_value=2100)
    unit = forms.TypedChoiceField(label=_("范围"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, units=(), allow_all=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(u.pk, u.name) for u in units]
        if allow_all:
            choices.insert(0, ("", _("全部党支部")))
        self.fields["unit"].choices = choices
        self.fields["unit"].required = not allow_all
