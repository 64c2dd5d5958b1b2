import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branches.forms import GroupChoiceField, UnitChoiceField
from branches.models import OrgUnit
from branches.selectors import with_parent_name

from . import idcard
from .models import Member

ALL = _("全部")


class UnitFilter(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField


class GroupFilter(django_filters.ModelChoiceFilter):
    field_class = GroupChoiceField


class MemberFilter(django_filters.FilterSet):
    """The roster's search and filters. Choices only ever list what the user's scope shows."""

    q = django_filters.CharFilter(
        label=_("搜索"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("姓名、身份证号或电话"), "type": "search"}),
    )
    unit = UnitFilter(label=_("党组织"), queryset=OrgUnit.objects.none(), method="in_unit", empty_label=ALL)
    group = GroupFilter(label=_("党小组"), queryset=OrgUnit.objects.none(), empty_label=ALL)
    category = django_filters.ChoiceFilter(label=_("党员类别"), choices=Member.Category.choices, empty_label=ALL)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Member.Status.choices, empty_label=ALL)
    department = django_filters.ChoiceFilter(label=_("部门"), choices=[], empty_label=ALL)
    # Members who left the organisation are out of the roster unless asked for (the view leaves them
    # out when this is empty, bound or not).
    left = django_filters.ChoiceFilter(
        label=_("在册情况"),
        choices=[("left", _("已离开本单位")), ("all", _("全部"))],
        empty_label=_("在册党员"),
        method="leaving",
    )

    class Meta:
        model = Member
        fields = ["q", "unit", "group", "category", "status", "department", "left"]

    def __init__(self, data=None, queryset=None, *, scope, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.scope = scope
        visible_units = OrgUnit.objects.visible_to(scope)
        self.filters["unit"].queryset = visible_units.exclude(kind=OrgUnit.Kind.GROUP)
        self.filters["group"].queryset = with_parent_name(visible_units.filter(kind=OrgUnit.Kind.GROUP))
        departments = (
            Member.objects.visible_to(scope)
            .exclude(department="")
            .order_by("department")
            .values_list("department", flat=True)
            .distinct()
        )
        self.filters["department"].extra["choices"] = [(name, name) for name in departments]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        q = Q(name__icontains=value) | Q(phone__icontains=value)
        if self.scope.is_committee:
            q |= Q(id_number__icontains=idcard.normalise(value))
        else:
            # Others see ID numbers masked: matching parts of one would unmask it digit by digit,
            # so only the whole number finds its member.
            q |= Q(id_number=idcard.normalise(value))
        return queryset.filter(q)

    def leaving(self, queryset, name, value):
        return queryset.filter(left_on__isnull=False) if value == "left" else queryset

    def in_unit(self, queryset, name, unit):
        # A general branch or the committee stands for every branch below it.
        return queryset.filter(unit.subtree_filter("branch__"))
