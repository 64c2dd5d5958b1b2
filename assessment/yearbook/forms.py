"""The export form: which year, and (for a secretary with several units, or the committee) which part."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from branches.access import Scope
from branches.models import OrgUnit

YEARS_OFFERED = 6


class ExportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    unit = forms.ModelChoiceField(label=_("导出范围"), queryset=OrgUnit.objects.none(), required=False)

    def __init__(self, *args, scope: Scope, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        years = range(today.year, today.year - YEARS_OFFERED, -1)
        self.fields["year"].choices = [(y, _("%(year)s年度") % {"year": y}) for y in years]
        self.fields["year"].initial = today.year - 1
        unit = self.fields["unit"]
        if scope.is_committee:
            # The whole organisation, or one general branch: thousands of branches make no usable list.
            unit.queryset = OrgUnit.objects.filter(kind=OrgUnit.Kind.GENERAL_BRANCH).order_by("code")
            unit.empty_label = _("全部党支部")
        else:
            unit.queryset = (
                OrgUnit.objects.managed_by(scope)
                .filter(kind__in=[OrgUnit.Kind.GENERAL_BRANCH, OrgUnit.Kind.BRANCH])
                .order_by("path")
            )
            unit.required = True
            unit.empty_label = None
        unit.label_from_instance = lambda u: f"{u.name}（{u.code}）"
