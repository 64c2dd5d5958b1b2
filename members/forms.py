from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from branches.forms import DateInput, GroupChoiceField
from branches.models import OrgUnit
from branches.rules import COMMITTEE_POSTS
from core.forms import DateField

from . import idcard
from .models import Member


class BranchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return gettext("%(name)s（%(code)s）") % {"name": obj.name, "code": obj.code}


def _col(name, width="col-md-4"):
    return Column(name, css_class=f"col-12 {width}")


class MemberForm(forms.ModelForm):
    """Add or edit a member. The services check every rule again; this form shows the errors early.

    On edit the branch is not offered: moving a member is a transfer (组织关系转接).
    """

    since = DateField(
        label=_("进入本支部日期"),
        required=False,
        widget=DateInput(),
        help_text=_("留空表示建档前就在本支部；新转入的党员填转入日期"),
    )
    branch = BranchChoiceField(label=_("所在支部"), queryset=OrgUnit.objects.none())
    group = GroupChoiceField(label=_("党小组"), queryset=OrgUnit.objects.none(), required=False)

    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "id_number",
            "education",
            "phone",
            "email",
            "branch",
            "group",
            "department",
            "post",
            "employee_number",
            "committee_post",
            "is_party_cadre",
            "category",
            "joined_on",
            "full_on",
            "probation_extended_until",
            "status",
            "counts_when_retired",
        ]
        widgets = {
            "birth_date": DateInput(),
            "joined_on": DateInput(),
            "full_on": DateInput(),
            "probation_extended_until": DateInput(),
            "committee_post": forms.TextInput(attrs={"list": "committee-posts"}),
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "maxlength": 18}),
        }
        field_classes = dict.fromkeys(["birth_date", "joined_on", "full_on", "probation_extended_until"], DateField)

    def __init__(self, *args, branches=None, groups, show_id_number=True, **kwargs):
        """`branches`: where a new member may go (None when editing); `groups`: the groups offered.

        `show_id_number`: only the committee sees ID numbers in full. Anyone else editing gets an
        empty field: typing a number replaces the stored one, leaving it empty keeps it.
        """
        super().__init__(*args, **kwargs)
        self.editing = self.instance.pk is not None
        self.keeps_hidden_id = self.editing and not show_id_number
        if self.editing:
            del self.fields["branch"], self.fields["since"]
        else:
            self.fields["branch"].queryset = branches
            self.fields["branch"].widget.attrs.update(
                {"hx-get": reverse("members:group_options"), "hx-target": "#id_group", "hx-trigger": "change"}
            )
        self.fields["group"].queryset = groups
        self.fields["committee_post"].help_text = _("书记、副书记、组织委员、宣传委员、纪检委员等；不是支委留空")
        if self.keeps_hidden_id:
            self.initial["id_number"] = ""
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("当前：%(masked)s。不修改请留空；需要更正时填写完整的18位号码") % {
                "masked": self.instance.masked_id_number
            }
        self.helper = FormHelper()
        self.helper.form_tag = False
        place = [_col("branch", "col-md-6"), _col("since", "col-md-6")] if not self.editing else []
        self.helper.layout = Layout(
            Fieldset(
                _("基本信息"),
                Row(_col("name"), _col("gender", "col-md-2"), _col("ethnicity", "col-md-2"), _col("birth_date")),
                Row(_col("id_number", "col-md-6"), _col("education", "col-md-3"), _col("phone", "col-md-3")),
                Row(_col("email", "col-md-6")),
            ),
            Fieldset(
                _("组织与岗位"),
                Row(*place),
                Row(_col("group", "col-md-6"), _col("department", "col-md-3"), _col("post", "col-md-3")),
                Row(_col("committee_post", "col-md-6"), _col("is_party_cadre", "col-md-6 pt-md-4")),
                Row(_col("employee_number", "col-md-6")),
                HTML(
                    '<datalist id="committee-posts">'
                    + "".join(f'<option value="{post}">' for post in COMMITTEE_POSTS)
                    + "</datalist>"
                ),
            ),
            Fieldset(
                _("党籍"),
                Row(_col("category"), _col("joined_on"), _col("full_on")),
                Row(_col("probation_extended_until"), _col("status"), _col("counts_when_retired", "col-md-4 pt-md-4")),
            ),
        )

    def clean_id_number(self):
        number = idcard.normalise(self.cleaned_data.get("id_number"))
        if not number and self.keeps_hidden_id:
            return self.instance.id_number
        return number

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("id_number")
        if number and "id_number" not in self._errors:
            for error in idcard.id_number_errors(number, cleaned.get("birth_date")):
                self.add_error("id_number", error)
        return cleaned


class TransferForm(forms.Form):
    """组织关系转接. Any branch of the organisation may receive the member: the sender need not
    manage it, so the list is every branch, not the user's scope."""

    to_branch = BranchChoiceField(label=_("转入支部"), queryset=OrgUnit.objects.none())
    on = DateField(label=_("转接日期"), widget=DateInput())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_branch"].queryset = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH).exclude(
            pk=member.branch_id
        )
        self.fields["on"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.form_tag = False


class LeaveForm(forms.Form):
    """A member leaves the organisation: 转出本单位, 去世 or another reason, from a date."""

    reason = forms.ChoiceField(label=_("离开原因"), choices=Member.LeaveReason.choices)
    on = DateField(label=_("离开日期"), widget=DateInput(), help_text=_("从这一天起不再计入本单位党员人数和应到人数"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        self.helper = FormHelper()
        self.helper.form_tag = False
