"""Looking up a branch a URL names, among the branches a user may see or manage (404 otherwise)."""

from django.http import Http404

from branches.models import OrgUnit


def branch_or_404(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except OrgUnit.DoesNotExist as exc:
        raise Http404 from exc
