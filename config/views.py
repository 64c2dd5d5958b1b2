"""The home page: it sits above every app, so it may gather a panel from each.

Each app contributes a panel (a template and its context) for the signed-in user; the page shows
the panels that apply to the user's roles.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from activities.views import compliance_panel
from branches.access import scope_for
from branches.models import OrgUnit


@login_required
def home(request):
    scope = scope_for(request.user)
    context = {
        "units": OrgUnit.objects.visible_to(scope).filter(depth__lte=3),
        "panels": [],  # (template name, context) pairs added by later features
    }
    meetings_panel = compliance_panel(request)
    if meetings_panel:
        context["panels"].append(meetings_panel)
    return render(request, "home.html", context)
