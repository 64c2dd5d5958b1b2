"""The year archive form: which unit (a branch; for the committee also a general branch or all) and which year."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from branches.access import Scope
from branches.models import OrgUnit

YEARS_OFFERED = 6


class ArchiveForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    unit = forms.ModelChoiceField(label=_("单位"), queryset=OrgUnit.objects.none(), empty_label=None)

    def __init__(self, *args, scope: Scope, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        years = range(today.year, today.year - YEARS_OFFERED, -1)
        self.fields["year"].choices = [(y, _("%(year)s年度") % {"year": y}) for y in years]
        self.fields["year"].initial = today.year - 1
        unit = self.fields["unit"]
        if scope.is_committee:
            # The organ or one general branch as a zip: thousands of branches make no usable list, so a
            # single branch's archive is started from its ledger.
            unit.queryset = OrgUnit.objects.filter(
                kind__in=[OrgUnit.Kind.COMMITTEE, OrgUnit.Kind.GENERAL_BRANCH]
            ).order_by("path")
        else:
            unit.queryset = OrgUnit.objects.managed_by(scope).filter(kind=OrgUnit.Kind.BRANCH).order_by("path")
        unit.label_from_instance = lambda u: (
            f"{u.name}（{u.code}）"
            if u.kind == OrgUnit.Kind.BRANCH
            else _("%(name)s（全部党支部，zip）") % {"name": u.name}
        )


class StartForm(forms.Form):
    """The ledger's button: any unit id and year, checked by the job request."""

    unit = forms.IntegerField()
    year = forms.IntegerField()
