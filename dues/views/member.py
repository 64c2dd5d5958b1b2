"""One member's dues year, and what is recorded on it one at a time."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member

from .. import rules, selectors, services
from ..access import dues_scope_for, managed_branches, member_or_404
from ..forms import (
    BaseForm,
    ExemptionForm,
    PaymentForm,
)
from ..rules import Month
from .common import year_or_404

FORMS = {"payment": PaymentForm, "base": BaseForm, "exemption": ExemptionForm}


@login_required
def member(request, member_id: int, year: int):
    """One member's year: each month's dues, payments (one by one, back payments with their real
    date), bases (a change mid-year from its month), approved 免交/缓交. The member reads their own."""
    today = timezone.localdate()
    year = year_or_404(year, today)  # first: the member's lookup works out the year's months
    person, can_change = member_or_404(request.user, member_id, year)
    scope = dues_scope_for(request.user)
    dues = selectors.member_dues(person, year, today)
    bound = {}
    if request.method == "POST":
        if not can_change:
            raise Http404
        action = request.POST.get("action")
        if action not in FORMS:
            return redirect("dues:member", person.pk, year)
        form = FORMS[action](request.POST, prefix=action)
        bound[action] = form
        if form.is_valid():
            try:
                _member_write(action, form.cleaned_data, person, year, request.user, scope, today)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, _("已保存"))
                return redirect("dues:member", person.pk, year)
    first_open = next((m for m in dues.owed_months if not m.dues.in_full), None)
    forms = {
        "payment": bound.get("payment")
        or PaymentForm(
            prefix="payment",
            initial={
                "month": first_open.month.month if first_open else min(today.month, 12) if year == today.year else 12,
                "amount": first_open.dues.owed if first_open and first_open.dues.due else None,
                "paid_on": today,
            },
        ),
        "base": bound.get("base") or BaseForm(prefix="base"),
        "exemption": bound.get("exemption") or ExemptionForm(prefix="exemption", initial={"approved_on": today}),
    }
    keeps = set(managed_branches(scope).values_list("pk", flat=True)) if can_change else set()
    return render(
        request,
        "dues/member.html",
        {
            "person": person,
            "dues": dues,
            "year": year,
            "years": selectors.known_years(today),
            "can_change": can_change,
            "forms": forms,
            "keeps": keeps,
            "rounding": rules.ROUNDING_LABELS[dues.rounding],
        },
    )


def _member_write(action, data, person, year, user, scope, today):
    if action == "payment":
        services.payment_record(
            member=person,
            month=Month(year, data["month"]),
            amount=data["amount"],
            paid_on=data["paid_on"],
            note=data.get("note", ""),
            by=user,
            scope=scope,
            today=today,
        )
    elif action == "base":
        # A base belongs to the branch the member is in now, which keeps it after a transfer.
        if not Member.objects.managed_by(scope).filter(pk=person.pk).exists():
            raise ValidationError(_("该党员已转出，计算基数由其现在所在的党支部设定"))
        services.base_set(
            member=person,
            year=year,
            from_month=data["from_month"],
            category=data["category"],
            base=data.get("base"),
            by=user,
            today=today,
        )
    else:
        services.exemption_create(
            member=person,
            kind=data["kind"],
            first=Month(year, data["first_month"]),
            last=Month(year, data["last_month"]),
            reason=data["reason"],
            approved_by=data["approved_by"],
            approved_on=data["approved_on"],
            by=user,
            scope=scope,
            today=today,
        )
