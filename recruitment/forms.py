from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from branches.forms import TypeAheadSelect, UnitChoiceField
from branches.models import OrgUnit
from core.forms import DateField
from core.uploads import import_file_field

from . import rules

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecruitFilterForm(forms.Form):
    """The list's unit filter: the chosen unit only, the others searched (a province has thousands)."""

    unit = UnitChoiceField(
        label=_("所在支部"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("全部支部"),
        widget=TypeAheadSelect("unit", attrs={"class": "form-select form-select-sm w-auto"}),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].widget.attrs["aria-label"] = self.fields["unit"].label


class RecruitForm(forms.Form):
    """A new applicant: who they are, and their application (step 1)."""

    branch = forms.ModelChoiceField(label=_("所在支部"), queryset=OrgUnit.objects.none())
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, help_text=_("性别和出生日期按身份证号确定"))
    department = forms.CharField(label=_("部门"), max_length=50, required=False)
    post = forms.CharField(label=_("职务"), max_length=50, required=False)
    education = forms.CharField(label=_("学历"), max_length=30, required=False)
    ethnicity = forms.CharField(label=_("民族"), max_length=20, initial="汉族")
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    applied_on = DateField(label=_("递交入党申请书日期"), widget=DATE_WIDGET)
    actor = forms.CharField(label=_("接收人"), max_length=100, required=False)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


class RecruitEditForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    department = forms.CharField(label=_("部门"), max_length=50, required=False)
    post = forms.CharField(label=_("职务"), max_length=50, required=False)
    education = forms.CharField(label=_("学历"), max_length=30, required=False)
    ethnicity = forms.CharField(label=_("民族"), max_length=20)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)


class SponsorField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return gettext("%(name)s（%(branch)s）") % {"name": obj.name, "branch": obj.branch.name}


class StepForm(forms.Form):
    """One step: its date, who did it, a note, and what that step's rule needs."""

    done_on = DateField(label=_("日期"), widget=DATE_WIDGET)
    actor = forms.CharField(label=_("经办人"), max_length=100, required=False, help_text=_("谈话人、审查人、主持人等"))
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, number: int, sponsors=None, groups=None, voting_members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.number = number
        if number in (rules.CONTACTS, rules.INTRODUCERS):
            label = _("培养联系人") if number == rules.CONTACTS else _("入党介绍人")
            self.fields["people"] = SponsorField(
                label=label,
                queryset=sponsors,
                help_text=_("选择两名正式党员（按住Ctrl多选）"),
                widget=forms.SelectMultiple(attrs={"size": 8}),
            )
        if number == rules.TRAINING:
            self.fields["training_days"] = forms.IntegerField(label=_("培训天数"), min_value=0, required=False)
            self.fields["training_hours"] = forms.IntegerField(
                label=_("培训学时"), min_value=0, required=False, help_text=_("不少于3天或24个学时")
            )
        if number == rules.PRE_REVIEW:
            self.fields["notice_start"] = DateField(label=_("公示开始日期"), widget=DATE_WIDGET)
            self.fields["notice_end"] = DateField(
                label=_("公示结束日期"), widget=DATE_WIDGET, help_text=_("公示不少于5个工作日")
            )
        if number == rules.BRANCH_MEETING:
            hint = _("支部大会当天本支部正式党员%(n)s人；按规定可不计入应到人数的，请从中减去") % {"n": voting_members}
            self.fields["voters_expected"] = forms.IntegerField(
                label=_("应到会有表决权人数"),
                min_value=0,
                help_text=hint if voting_members is not None else "",
            )
            self.fields["voters_present"] = forms.IntegerField(label=_("实到会有表决权人数"), min_value=0)
            self.fields["votes_for"] = forms.IntegerField(
                label=_("赞成票"), min_value=0, help_text=_("到会人数和赞成票都须超过应到会有表决权人数的半数")
            )
        if number == rules.PLACED and groups is not None:
            self.fields["group"] = forms.ModelChoiceField(
                label=_("编入党小组"),
                queryset=groups,
                required=False,
                help_text=_("同时写入党员名册"),
            )


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("材料"), help_text=_("申请书、志愿书、公示等扫描件：jpg、png、pdf、docx、xlsx，单个不超过10MB")
    )


class ImportForm(forms.Form):
    file = import_file_field(label=_("发展党员文件（.xlsx）"))
    check_only = forms.BooleanField(label=_("只检查，不写入"), required=False)
