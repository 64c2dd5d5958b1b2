"""Forms of the assessment pages. They check the shape of the input; the services check the rules."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.choices import choices
from core.forms import DateField
from core.periods import QUARTER_LABELS
from core.uploads import import_file_field

from . import standard as spec
from .models import Indicator, Standard
from .models.ratings import LEVEL_CHOICES

QUARTER_CHOICES = choices(QUARTER_LABELS)


class StandardParametersForm(forms.ModelForm):
    class Meta:
        model = Standard
        fields = list(spec.DEFAULT_PARAMETERS)


class AspectRowForm(forms.Form):
    code = forms.CharField(label=_("编码"), max_length=8)
    name = forms.CharField(label=_("名称"), max_length=50)
    points = forms.DecimalField(label=_("分值"), max_digits=5, decimal_places=2, min_value=0)

    def spec(self) -> spec.AspectSpec:
        d = self.cleaned_data
        return spec.AspectSpec(d["code"].strip().upper(), d["name"], d["points"])


class IndicatorRowForm(forms.Form):
    code = forms.CharField(label=_("编码"), max_length=8)
    aspect = forms.CharField(label=_("方面"), max_length=8)
    name = forms.CharField(label=_("名称"), max_length=100)
    points = forms.DecimalField(label=_("分值"), max_digits=5, decimal_places=2, min_value=0)
    mode = forms.ChoiceField(label=_("计分方式"), choices=Indicator.Mode.choices)
    frequency = forms.ChoiceField(label=_("计分周期"), choices=Indicator.Frequency.choices)

    def spec(self) -> spec.IndicatorSpec:
        d = self.cleaned_data
        return spec.IndicatorSpec(
            d["code"].strip().upper(), d["aspect"].strip().upper(), d["name"], d["points"], d["mode"], d["frequency"]
        )


AspectFormSet = formset_factory(AspectRowForm, extra=0)
IndicatorFormSet = formset_factory(IndicatorRowForm, extra=2, can_delete=True)


class ScoreForm(forms.Form):
    indicator = forms.CharField(widget=forms.HiddenInput)
    quarter = forms.IntegerField(widget=forms.HiddenInput, required=False)
    value = forms.CharField(label=_("得分"), max_length=10)
    note = forms.CharField(label=_("说明"), required=False, max_length=500)


class ProblemForm(forms.Form):
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        # "quarter": the whole year as opposed to one quarter, not the year field's label.
        choices=[("", pgettext_lazy("quarter", "年度")), *QUARTER_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
    )
    indicator = forms.ChoiceField(label=_("相关指标"), required=False)
    description = forms.CharField(label=_("问题"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = DateField(label=_("整改期限"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", "—"), *((i.code, f"{i.code} {i.name}") for i in indicators)]


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("整改材料"), help_text=_("PDF、图片、Word 或 Excel，不超过 10 MB"))
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class CloseForm(forms.Form):
    note = forms.CharField(label=_("销号意见"), required=False, max_length=500)


class ApplicationForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    level = forms.TypedChoiceField(label=_("申报星级"), choices=LEVEL_CHOICES, coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, gettext("%(year)s年度") % {"year": y}) for y in years]


class OverrideForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("调整为"),
        choices=[("", _("不调整（按计算结果）")), *LEVEL_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
    )
    reason = forms.CharField(label=_("调整理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # Shown only when the adjustment breaks the veto or the five-star quota (the page says which).
    confirm = forms.BooleanField(label=_("确认突破上述规则"), required=False)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("撤销理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ImportForm(forms.Form):
    file = import_file_field(label=_("评分导入文件（.xlsx）"))


class TemplateForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        choices=[("", _("年度指标")), *QUARTER_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
    )
