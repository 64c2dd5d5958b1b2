from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .access import scope_for
from .models import OrgUnit


@login_required
def home(request):
    scope = scope_for(request.user)
    units = OrgUnit.objects.visible_to(scope).filter(depth__lte=3)
    return render(request, "home.html", {"units": units})


@login_required
def tree(request):
    units = OrgUnit.objects.visible_to(request.user)
    return render(request, "branches/tree.html", {"units": units})
