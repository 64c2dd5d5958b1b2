from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import Member


@login_required
def member_list(request):
    members = Member.objects.visible_to(request.user).select_related("branch", "group")
    return render(request, "members/list.html", {"members": members})
