"""Finding a meeting record: words in its topic, minutes, place or people's names, within what the user
may see (activities/search.py has the query and why it is fast on PostgreSQL)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from branches.access import get_visible_or_404, scope_for
from branches.models import OrgUnit
from core import params

from .. import search
from ..models import Attendance, Meeting

PAGE_SIZE = 20


@login_required
def meeting_search(request):
    scope = scope_for(request.user)
    if not scope.has_units:
        raise Http404
    q = params.query_text(request, "q", max_length=200)
    terms = search.terms_of(q)
    year = params.query_int(request, "year", None, low=2000, high=2100)
    unit = None
    meetings = Meeting.objects.visible_to(scope)
    unit_id = params.query_id(request, "unit")
    if unit_id is not None:
        unit = get_visible_or_404(OrgUnit.objects, request.user, pk=unit_id)
        meetings = meetings.filter(unit__path__startswith=unit.path)
    if year:
        meetings = meetings.filter(held_on__year=year)
    # Terms of one or two characters cannot use the trigram index: their text search keeps to one year.
    year_forced = search.needs_year(terms) and year is None
    text_year = timezone.localdate().year if year_forced else None
    people = Attendance.objects.all()
    ids, capped, _plan = search.find(meetings, terms, people, text_year=text_year)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(meetings.filter(pk__in=page.object_list).select_related("unit").order_by("-held_at", "-pk"))
    names: dict[int, list[str]] = {}
    if terms and page.object_list:
        matching = Attendance.objects.filter(meeting__in=[m.pk for m in page.object_list]).select_related("member")
        for a in matching.order_by("member__name"):
            if any(t in a.member.name for t in terms):
                names.setdefault(a.meeting_id, []).append(a.member.name)
    query = {"q": q}
    if unit:
        query["unit"] = unit.pk
    if year:
        query["year"] = year
    return render(
        request,
        "activities/search.html",
        {
            "q": q,
            "terms": terms,
            "unit": unit,
            "year": year,
            "year_forced": year_forced,
            "text_year": text_year,
            "page": page,
            "capped": capped,
            "cap": search.COUNT_CAP,
            "hits": search.hits(page.object_list, terms, names),
            "query": urlencode(query),
            "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1),
        },
    )
