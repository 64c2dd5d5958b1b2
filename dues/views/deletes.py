"""Deleting what was recorded by mistake: a payment, a base, an exemption, a remittance."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from branches.access import get_managed_or_404

from .. import services
from ..access import dues_scope_for
from ..models import DuesBase, DuesExemption, DuesPayment, Remittance
from ..rules import Month


def _confirm_delete(request, obj, what: str, back: str, delete):
    if request.method == "POST":
        delete()
        messages.success(request, _("已删除：%(what)s") % {"what": what})
        return redirect(back)
    return render(request, "dues/confirm_delete.html", {"what": what, "back": back})


@login_required
def payment_delete(request, pk: int):
    scope = dues_scope_for(request.user)
    payment = get_managed_or_404(DuesPayment.objects.select_related("member"), scope, pk=pk)
    what = _("%(name)s %(month)s 党费 %(amount)s 元（%(day)s交纳）") % {
        "name": payment.member.name,
        "month": Month.of(payment.month),
        "amount": payment.amount,
        "day": f"{payment.paid_on:%Y-%m-%d}",
    }
    back = reverse("dues:member", args=[payment.member_id, payment.month.year])
    return _confirm_delete(request, payment, what, back, lambda: services.payment_delete(payment=payment))


@login_required
def base_delete(request, pk: int):
    scope = dues_scope_for(request.user)
    base = get_managed_or_404(DuesBase.objects.select_related("member"), scope, pk=pk)
    what = _("%(name)s %(year)s年%(month)s月起的计算基数") % {
        "name": base.member.name,
        "year": base.year,
        "month": base.from_month,
    }
    back = reverse("dues:member", args=[base.member_id, base.year])
    return _confirm_delete(request, base, what, back, lambda: services.base_delete(base=base))


@login_required
def exemption_delete(request, pk: int):
    scope = dues_scope_for(request.user)
    exemption = get_managed_or_404(DuesExemption.objects.select_related("member"), scope, pk=pk)
    what = _("%(name)s %(first)s—%(last)s 的%(kind)s") % {
        "name": exemption.member.name,
        "first": Month.of(exemption.first_month),
        "last": Month.of(exemption.last_month),
        "kind": exemption.get_kind_display(),
    }
    back = reverse("dues:member", args=[exemption.member_id, exemption.first_month.year])
    return _confirm_delete(request, exemption, what, back, lambda: services.exemption_delete(exemption=exemption))


@login_required
def remittance_delete(request, pk: int):
    scope = dues_scope_for(request.user)
    remittance = get_managed_or_404(Remittance.objects.select_related("branch"), scope, pk=pk)
    what = _("%(branch)s %(year)s年%(first)s–%(last)s月的上缴 %(amount)s 元") % {
        "branch": remittance.branch.name,
        "year": remittance.year,
        "first": remittance.first_month,
        "last": remittance.last_month,
        "amount": remittance.amount,
    }
    back = reverse("dues:remittances", args=[remittance.branch_id, remittance.year])
    return _confirm_delete(request, remittance, what, back, lambda: services.remittance_delete(remittance=remittance))
