"""The committee's settings: the years of the ledger and their rounding."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.service_errors import flash_service_errors

from .. import services
from ..access import dues_scope_for
from ..forms import (
    YearSettingForm,
)
from ..models import DuesYear


@login_required
def years(request):
    """The committee opens years of the ledger and chooses each year's rounding."""
    scope = dues_scope_for(request.user)
    if not scope.is_committee:
        raise Http404
    today = timezone.localdate()
    form = YearSettingForm(request.POST or None, initial={"year": today.year})
    if request.method == "POST" and form.is_valid():
        try:
            services.dues_year_set(by=request.user, today=today, **form.cleaned_data)
        except ValidationError as exc:
            flash_service_errors(request, exc)
        else:
            messages.success(request, _("已保存%(year)s年度的党费设置") % {"year": form.cleaned_data["year"]})
            return redirect("dues:years")
    rows = DuesYear.objects.select_related("updated_by")
    return render(request, "dues/years.html", {"form": form, "rows": rows})
