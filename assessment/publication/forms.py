"""Forms of the 公示, objection, interview, holiday and document pages: the shape of the input only;
the services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DateField

from ..models import Holiday, Objection
from ..models.ratings import LEVEL_CHOICES
from . import rules


class ObjectionForm(forms.Form):
    branch = forms.TypedChoiceField(label=_("对哪个党支部的评定结果有异议"), coerce=int)
    text = forms.CharField(
        label=_("异议内容和理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("异议须署名：机关党委可以看到提出人，其他党员看不到。"),
    )

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", "—"), *((b.pk, b.name) for b in branches)]


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("处理结果"), choices=Objection.Outcome.choices, widget=forms.RadioSelect)
    level = forms.TypedChoiceField(
        label=_("调整后的星级"),
        choices=[("", "—"), *LEVEL_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("仅在调整评定时选择：将撤销审批、调整该支部星级并重新审批，重新公示。"),
    )
    answer = forms.CharField(label=_("答复意见"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    confirm = forms.BooleanField(label=_("确认突破上述规则"), required=False)


class HolidayForm(forms.Form):
    day = DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("名称"), max_length=50)
    kind = forms.ChoiceField(label=_("类别"), choices=Holiday.Kind.choices, initial=Holiday.Kind.OFF)


class InterviewForm(forms.Form):
    held_on = DateField(label=_("约谈日期"), widget=forms.DateInput(attrs={"type": "date"}))
    interviewers = forms.CharField(
        label=_("约谈人"), max_length=200, help_text=_("姓名和职务，如“机关党委副书记 王强”")
    )
    interviewee = forms.CharField(label=_("被约谈人"), max_length=100)
    points = forms.CharField(label=_("指出的问题"), widget=forms.Textarea(attrs={"rows": 4}))
    commitments = forms.CharField(label=_("整改承诺"), widget=forms.Textarea(attrs={"rows": 3}))
    problem = forms.CharField(
        label=_("开具整改问题（可选）"),
        required=False,
        max_length=500,
        help_text=_("填写后记入该支部的问题清单，按期整改、销号。"),
    )
    deadline = DateField(label=_("整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("problem") and not data.get("deadline"):
            self.add_error("deadline", _("开具整改问题须填写整改期限"))
        return data


class FollowUpForm(forms.Form):
    description = forms.CharField(label=_("整改问题"), max_length=500)
    deadline = DateField(label=_("整改期限"), widget=forms.DateInput(attrs={"type": "date"}))


class DocumentForm(forms.Form):
    indicator = forms.ChoiceField(label=_("支撑的指标"))
    file = forms.FileField(label=_("佐证材料"), help_text=_("PDF、图片、Word 或 Excel，不超过 10 MB"))
    title = forms.CharField(label=_("材料说明"), required=False, max_length=100)

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.code, f"{i.code} {i.name}") for i in indicators]


class ApprovalDaysForm(forms.Form):
    """The length of the 公示 the approval opens (the approve button's one field)."""

    working_days = forms.IntegerField(
        label=_("公示期（工作日）"),
        min_value=rules.MIN_WORKING_DAYS,
        max_value=rules.MAX_WORKING_DAYS,
        initial=rules.DEFAULT_WORKING_DAYS,
    )
