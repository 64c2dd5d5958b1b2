from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import DateField

from . import rules
from .models import OrgUnit


class DateInput(forms.DateInput):
    """The browser's date picker; ISO dates are what it sends and expects."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class UnitChoiceField(forms.ModelChoiceField):
    """Units indented by depth, so a long select still reads as a tree."""

    def label_from_instance(self, obj):
        return "\u3000" * (obj.depth - 1) + gettext("%(name)s（%(kind)s）") % {
            "name": obj.name,
            "kind": obj.get_kind_display(),
        }


class TypeAheadSelect(forms.Select):
    """A unit select that renders only its empty choice and the chosen unit, with a search box whose
    typing fetches the matching units' <option>s (htmx, `branches:unit_options`): a province has
    thousands of units, and a select of all of them weighs megabytes and helps nobody.

    `field` is what the search looks for: "unit" (units other than groups) or "group".
    """

    # In the app's own templates/: form widgets render with the form renderer, which reads app folders only.
    template_name = "branches/widgets/type_ahead_select.html"

    def __init__(self, field: str = "unit", attrs=None):
        super().__init__(attrs)
        self.search_field = field

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_field"] = self.search_field
        return context

    def optgroups(self, name, value, attrs=None):
        every = self.choices
        field = getattr(every, "field", None)
        if field is None:  # plain choices: nothing to leave out
            return super().optgroups(name, value, attrs)
        chosen = [v for v in value if v not in (None, "")]
        limited = [("", field.empty_label)] if field.empty_label is not None else []
        if chosen:
            try:
                found = list(field.queryset.filter(pk__in=chosen))
            except (TypeError, ValueError):
                found = []
            limited += [(field.prepare_value(obj), field.label_from_instance(obj)) for obj in found]
        self.choices = limited
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = every


def kinds_under(parents) -> list[str]:
    """Kinds of unit that may hang under at least one of `parents` (branches.rules)."""
    parent_kinds = {parent.kind for parent in parents}
    return [kind for kind, allowed in rules.ALLOWED_PARENTS.items() if parent_kinds & set(allowed)]


class UnitForm(forms.ModelForm):
    parent = UnitChoiceField(
        label=_("上级组织"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("（无上级）")
    )

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "kind", "founded_on", "elected_on", "departments"]
        widgets = {"founded_on": DateInput(), "elected_on": DateInput()}
        field_classes = {"founded_on": DateField, "elected_on": DateField}

    field_order = ["parent", "kind", "code", "name", "founded_on", "elected_on", "departments"]

    def __init__(self, *args, parents, kinds, lock_place=False, parent_required=True, **kwargs):
        """`parents`: units the user may hang this one under; `kinds`: the kinds offered.

        `lock_place`: a secretary editing their own unit may change its details but neither move it
        nor change its kind, so both fields are shown disabled.
        """
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        self.fields["parent"].required = parent_required
        labels = dict(OrgUnit.Kind.choices)
        self.fields["kind"].choices = [("", "---------")] + [(kind, labels[kind]) for kind in kinds]
        if lock_place:
            for name in ("parent", "kind"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("本单位的上级和类型由上级党组织调整")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("parent", css_class="col-md-8"), Column("kind", css_class="col-md-4")),
            Row(Column("code", css_class="col-md-4"), Column("name", css_class="col-md-8")),
            Row(Column("founded_on", css_class="col-md-6"), Column("elected_on", css_class="col-md-6")),
            "departments",
        )


class GroupChoiceField(forms.ModelChoiceField):
    """Party groups named with their branch: many branches have a 第一党小组.

    Give it a queryset from branches.selectors.with_parent_name.
    """

    def label_from_instance(self, obj):
        parent_name = getattr(obj, "parent_name", None)
        return f"{parent_name} · {obj.name}" if parent_name else obj.name
