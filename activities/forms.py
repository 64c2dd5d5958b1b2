import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from branches.models import OrgUnit
from core.choices import choices
from core.forms import DateField, DateTimeField, YearField
from core.periods import QUARTER_LABELS
from core.uploads import import_file_field
from members.models import Member

from . import compliance
from .models import Meeting, Talk


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several photos or scans at once. Each is checked by activities.services.attachment_problem, which
    names the file at fault, so the field itself only gathers them."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("附件"))
        kwargs.setdefault("help_text", _("照片、签到表扫描件等：jpg、png、pdf、docx、xlsx，单个不超过10MB"))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data]
        return [upload for upload in uploads if upload]


# What the file chooser offers: photos from the gallery or the camera, and the documents we accept.
EVIDENCE_ACCEPT = "image/*,.jpg,.jpeg,.png,.pdf,.docx,.xlsx"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return (
            obj.name
            if obj.kind == OrgUnit.Kind.BRANCH
            else "\u3000" + gettext("%(name)s（党小组）") % {"name": obj.name}
        )


class MeetingForm(forms.ModelForm):
    """The record's fields. Attendance is posted beside it as att-<member id> / reason-<member id>."""

    unit = UnitChoiceField(label=_("召开单位"), queryset=OrgUnit.objects.none(), empty_label=None)
    held_at = DateTimeField(
        label=_("召开时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    files = EvidenceField(widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "unit",
            "held_at",
            "place",
            "host",
            "recorder",
            "lecturer",
            "topic",
            "agenda",
            "minutes",
            "resolutions",
        ]
        widgets = {
            "agenda": forms.Textarea(attrs={"rows": 2}),
            "minutes": forms.Textarea(attrs={"rows": 6}),
            "resolutions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.filter(pk__in=[u.pk for u in units]).order_by("path")
        # Offer only the kinds the user's units can hold: a group leader sees 党小组会 alone.
        kinds = {u.kind for u in units}
        self.fields["kind"].choices = [
            (value, label)
            for value, label in Meeting.Kind.choices
            if (OrgUnit.Kind.GROUP in kinds and value in compliance.GROUP_KINDS)
            or (OrgUnit.Kind.BRANCH in kinds and value not in compliance.GROUP_KINDS)
        ]
        self.fields["lecturer"].help_text = _("党课必填")
        self.fields["topic"].widget.attrs["placeholder"] = _("如：学习贯彻党的二十届三中全会精神")

    def clean(self):
        data = super().clean()
        kind, unit = data.get("kind"), data.get("unit")
        if kind and unit:
            if kind in compliance.GROUP_KINDS and unit.kind != OrgUnit.Kind.GROUP:
                self.add_error("unit", _("党小组会由党小组召开，请选择党小组"))
            elif kind not in compliance.GROUP_KINDS and unit.kind != OrgUnit.Kind.BRANCH:
                self.add_error("unit", _("该类会议由党支部召开，请选择党支部"))
        held_at = data.get("held_at")
        if held_at and timezone.localtime(held_at).date() > timezone.localdate():
            self.add_error("held_at", _("会议时间不能晚于今天"))
        return data

    def posted(self, name: str):
        """What the user entered in field `name`, even where a rule of the form refused it (a future date,
        a unit that cannot hold the kind): the attendance card is drawn from it, so no mark is lost."""
        if name in self.cleaned_data:
            return self.cleaned_data[name]
        field = self.fields[name]
        try:
            return field.clean(field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name)))
        except forms.ValidationError:
            return None


def marks_from_post(data, expected_ids) -> tuple[dict[int, tuple[str, str]], list[str]]:
    """Leave and absence marks for the expected members, from att-<id> and reason-<id> fields."""
    marks, errors = {}, []
    for member_id in expected_ids:
        status = data.get(f"att-{member_id}", compliance.PRESENT)
        reason = (data.get(f"reason-{member_id}") or "").strip()
        if status not in compliance.ATTENDANCE_LABELS:
            errors.append(_("出席情况填写有误，请重新选择"))
            continue
        if len(reason) > 100:
            errors.append(_("请假/缺席事由不能超过100字"))
        if status != compliance.PRESENT:
            marks[member_id] = (status, reason[:100])
    return marks, errors


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("退回意见"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("写明需要修改或补充的内容")}),
        max_length=1000,
    )


class AttachmentForm(forms.Form):
    files = EvidenceField(widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))


class LedgerImportForm(forms.Form):
    file = import_file_field(label=_("台账文件（.xlsx）"))


QUARTER_CHOICES = choices(QUARTER_LABELS)
FLAG_CHOICES = [
    ("backfilled", _("补录")),
    ("below_quorum", _("未达法定人数")),
    ("similar", _("疑似雷同")),
    ("any", _("任一标记")),
]


class YearFilter(django_filters.NumberFilter):
    """A year within the bounds of every date: junk (-1, 99999999999) is reported on the field and ignored."""

    field_class = YearField


class LedgerFilter(django_filters.FilterSet):
    year = YearFilter(field_name="held_on", lookup_expr="year", label=_("年度"))
    quarter = django_filters.ChoiceFilter(choices=QUARTER_CHOICES, method="filter_quarter", label=_("季度"))
    kind = django_filters.ChoiceFilter(choices=Meeting.Kind.choices, label=_("类型"))
    status = django_filters.ChoiceFilter(choices=Meeting.Status.choices, label=_("状态"))
    flag = django_filters.ChoiceFilter(choices=FLAG_CHOICES, method="filter_flag", label=_("标记"))

    class Meta:
        model = Meeting
        fields = ["year", "quarter", "kind", "status", "flag"]

    def filter_quarter(self, queryset, name, value):
        first = 3 * (int(value) - 1) + 1
        return queryset.filter(held_on__month__gte=first, held_on__month__lte=first + 2)

    def filter_flag(self, queryset, name, value):
        q = {
            "backfilled": Q(is_backfilled=True),
            "below_quorum": Q(below_quorum=True),
            "similar": Q(similar_to__isnull=False),
            "any": Q(is_backfilled=True) | Q(below_quorum=True) | Q(similar_to__isnull=False),
        }[value]
        return queryset.filter(q)


class TalkForm(forms.ModelForm):
    class Meta:
        model = Talk
        fields = ["member", "talked_on", "talker", "talker_name", "note"]
        widgets = {
            "talked_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"talked_on": DateField}

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Member.objects.filter(pk__in=[m.pk for m in members]).order_by("name", "pk")
        self.fields["member"].queryset = queryset
        self.fields["talker"].queryset = queryset
        self.fields["talker"].required = False
        self.fields["talker"].help_text = _("本支部党员；上级或其他人员请在下一栏填写姓名")
        self.fields["note"].help_text = _("仅支部书记、上级党组织和机关党委可见")
