from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import OrgUnit


@login_required
def tree(request):
    units = OrgUnit.objects.visible_to(request.user)
    return render(request, "branches/tree.html", {"units": units})
