"""Who reaches the pages of the five-star rating, and which years and quarters exist.

The committee (机关党委) everything; general-branch and branch secretaries the branches of their
subtree (checks and scores read-only, problems' evidence and applications to manage); a branch sees
its rating only once the year is approved. Anything else is a 404.
"""

from django.http import Http404

from branches.access import get_managed_or_404, get_visible_or_404, scope_for
from branches.models import OrgUnit
from core.periods import QUARTERS

MIN_YEAR, MAX_YEAR = 2000, 2100


def committee_only(request):
    scope = scope_for(request.user)
    if not scope.is_committee:
        raise Http404
    return scope


def can_read(scope) -> bool:
    """The committee and the secretaries read the assessment of their subtree (not group leaders, members)."""
    return scope.is_committee or scope.is_manager


def reader_only(request):
    scope = scope_for(request.user)
    if not can_read(scope):
        raise Http404
    return scope


def branch_or_404(request, pk: int, manage: bool = False) -> OrgUnit:
    qs = OrgUnit.objects.filter(kind=OrgUnit.Kind.BRANCH)
    return get_managed_or_404(qs, request.user, pk=pk) if manage else get_visible_or_404(qs, request.user, pk=pk)


def year_or_404(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    return year


def quarter_or_404(quarter: int) -> int:
    if quarter not in QUARTERS:
        raise Http404
    return quarter
