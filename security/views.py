"""The sign-in log page: the committee only; to anyone else it does not exist (404)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from branches.access import scope_for

from .forms import SignInFilterForm
from .selectors import signin_events

PAGE_SIZE = 50


@login_required
def signin_log(request):
    if not scope_for(request.user).is_committee:
        raise Http404
    form = SignInFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    page = Paginator(signin_events(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": bool(filters),
        "retention_days": settings.SIGNIN_LOG_RETENTION_DAYS,
    }
    return render(request, "security/signin_log.html", context)
