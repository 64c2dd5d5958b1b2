import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from branches.forms import GroupChoiceField, TypeAheadSelect, UnitChoiceField
from branches.models import OrgUnit
from branches.selectors import with_parent_name

from . import idcard
from .models import Member
from .selectors import id_number_q, members_with_id_number_part

ALL = _("全部")
# The shortest part of an ID number the committee's search looks for inside the numbers.
MIN_ID_PART = 4
_ID_CHARS = re.compile(r"[0-9X]+")


class UnitFilter(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField


class GroupFilter(django_filters.ModelChoiceFilter):
    field_class = GroupChoiceField


# A province has thousands of units and groups: the selects hold the chosen one, the rest are searched.


class MemberFilter(django_filters.FilterSet):
    """The roster's search and filters. Choices only ever list what the user's scope shows."""

    q = django_filters.CharFilter(
        label=_("搜索"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("姓名、身份证号或电话"), "type": "search"}),
    )
    unit = UnitFilter(
        label=_("党组织"),
        queryset=OrgUnit.objects.none(),
        method="in_unit",
        empty_label=ALL,
        widget=TypeAheadSelect("unit"),
    )
    group = GroupFilter(
        label=_("党小组"), queryset=OrgUnit.objects.none(), empty_label=ALL, widget=TypeAheadSelect("group")
    )
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

    def filter_queryset(self, queryset):
        # The search last, over what the other filters left: a search by part of an ID number
        # decrypts the numbers it looks through (selectors.members_with_id_number_part).
        data = self.form.cleaned_data
        for name in [n for n in data if n != "q"] + (["q"] if "q" in data else []):
            queryset = self.filters[name].filter(queryset, data[name])
        return queryset

    def search(self, queryset, name, value):
        value = value.replace("\0", "").strip()
        if not value:
            return queryset
        q = Q(name__icontains=value) | Q(phone__icontains=value)
        number = idcard.normalise(value)
        if _ID_CHARS.fullmatch(number):
            # The whole number finds its member for everyone, through its keyed hash.
            q |= id_number_q(number)
            # Part of one only for the committee, who see numbers in full: to anyone else, who sees
            # them masked, matching parts would unmask a number digit by digit.
            if self.scope.is_committee and MIN_ID_PART <= len(number) < 18:
                q |= Q(pk__in=members_with_id_number_part(queryset, number))
        return queryset.filter(q)

    def leaving(self, queryset, name, value):
        return queryset.filter(left_on__isnull=False) if value == "left" else queryset

    def in_unit(self, queryset, name, unit):
        # A general branch or the committee stands for every branch below it.
        return queryset.filter(unit.subtree_filter("branch__"))
