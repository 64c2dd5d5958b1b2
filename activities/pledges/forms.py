"""Forms: they check the shape of input; the rules are checked by the services."""

from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from activities.models import AppraisalEntry, Pledge
from activities.models.pledges import QUARTER_CHOICES
from core.forms import DateField

from . import rules


def year_choices(years: list[int]) -> list[tuple[int, str]]:
    return [(y, gettext("%(year)s年") % {"year": y}) for y in years]


def _helper(submit_label, **attrs) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", submit_label))
    for key, value in attrs.items():
        setattr(helper, key, value)
    return helper


class PledgeForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    member = forms.TypedChoiceField(
        label=_("承诺人"), coerce=int, empty_value=None, required=False, help_text=_("不选表示支部的集体承诺")
    )
    content = forms.CharField(
        label=_("承诺内容"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("例如：全年办结案件不少于120件，无超审限案件")}),
        help_text=_("写清做什么、做到什么程度，便于年底评诺。"),
    )

    def __init__(self, *args, years: list[int], members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices(years)
        if members is None:
            del self.fields["member"]
        else:
            self.fields["member"].choices = [("", _("支部集体承诺"))] + [(m.pk, m.name) for m in members]
        self.helper = _helper(_("保存承诺"))


class PledgeEditForm(forms.ModelForm):
    class Meta:
        model = Pledge
        fields = ["content"]
        widgets = {"content": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("保存修改"))


class PledgeNoteForm(forms.Form):
    noted_on = DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("践诺情况"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("添加践诺记录"), form_tag=False)


RATING_CHOICES = [("", _("未评")), *Pledge.Rating.choices]


class RatingForm(forms.Form):
    """One row of the 评诺 page; the page holds one per pledge item, prefixed by its id."""

    rating = forms.ChoiceField(label=_("评诺结果"), choices=RATING_CHOICES, required=False)
    note = forms.CharField(label=_("评诺说明"), max_length=200, required=False)


class AppraisalOpenForm(forms.Form):
    branch = forms.TypedChoiceField(label=_("支部"), coerce=int)
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", _("年度评议")), *QUARTER_CHOICES],
        help_text=_("多数支部每年评议一次；按季度评议的支部选择季度。"),
    )

    def __init__(self, *args, branches, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [(b.pk, b.name) for b in branches]
        self.fields["year"].choices = year_choices(years)
        self.helper = _helper(_("开展评议"))


class SelfAppraisalForm(forms.ModelForm):
    class Meta:
        model = AppraisalEntry
        fields = ["self_text"]
        widgets = {"self_text": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"self_text": _("对照党员标准，从理想信念、履职尽责、遵规守纪等方面写出自己的优点和不足。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["self_text"].required = True
        self.helper = _helper(_("保存自我评价"))


GRADE_CHOICES = AppraisalEntry.Grade.choices


class BallotForm(forms.Form):
    """One grade per other participant; fields are named peer_<member id>."""

    def __init__(self, *args, peers: list[AppraisalEntry], **kwargs):
        super().__init__(*args, **kwargs)
        self.peers = peers
        for entry in peers:
            label = (
                gettext("%(name)s（预备党员）") % {"name": entry.member.name}
                if entry.is_probationary
                else entry.member.name
            )
            self.fields[f"peer_{entry.member_id}"] = forms.ChoiceField(
                label=label,
                choices=GRADE_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": _("请评定等次")},
            )

    def grades(self) -> dict[int, str]:
        return {int(name.removeprefix("peer_")): value for name, value in self.cleaned_data.items()}

    def rows(self):
        return [(entry, self[f"peer_{entry.member_id}"]) for entry in self.peers]


class DecisionForm(forms.Form):
    """One row of the branch's grading page, prefixed by the entry id."""

    final_grade = forms.ChoiceField(label=_("评议等次"), choices=[("", _("未定"))] + GRADE_CHOICES, required=False)
    comment = forms.CharField(
        label=_("支部评议意见"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def month_choices(today: date, back: int = 12) -> list[tuple[str, str]]:
    """This month and the `back` months before it, newest first."""
    choices = []
    year, month = today.year, today.month
    for _i in range(back + 1):
        choices.append((f"{year:04d}-{month:02d}", date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return choices


class StudyNoteForm(forms.Form):
    month = forms.ChoiceField(label=_("所属月份"))
    title = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(label=_("正文"), max_length=10000, widget=forms.Textarea(attrs={"rows": 10}))
    attachment = forms.FileField(
        label=_("附件（可选）"),
        required=False,
        help_text=_("可上传 jpg、png、pdf、docx、xlsx 文件，不超过 10 MB"),
        widget=forms.FileInput(attrs={"accept": ",".join(rules.ATTACHMENT_EXTENSIONS)}),
    )
    remove_attachment = forms.BooleanField(label=_("删除原附件"), required=False)

    def __init__(self, *args, today: date, current_month: date | None = None, has_attachment=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_attachment:
            del self.fields["remove_attachment"]
        choices = month_choices(today)
        if current_month is not None:
            key = f"{current_month:%Y-%m}"
            if key not in dict(choices):
                choices.append((key, date_format(current_month, "YEAR_MONTH_FORMAT")))
        self.fields["month"].choices = choices
        self.helper = _helper(_("保存"), form_tag=False)

    def clean_month(self) -> date:
        year, month = self.cleaned_data["month"].split("-")
        return date(int(year), int(month), 1)

    def clean_attachment(self):
        attachment = self.cleaned_data.get("attachment")
        if attachment and (error := rules.attachment_error(attachment.name, attachment.size)):
            raise forms.ValidationError(error)
        return attachment
