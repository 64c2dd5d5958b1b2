"""Account pages: create logins in bulk for a unit's members, reset a member's password, and the
password change that a one-time password forces. Everything through scoped querysets (outsiders 404)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.access import get_managed_or_404
from branches.models import OrgUnit
from core.spreadsheets import xlsx_response

from . import selectors, services
from .forms import CreateAccountsForm
from .spreadsheet import accounts_workbook

# One request creates at most this many accounts (about 16 ms of hashing each, see hashers.py), well
# inside gunicorn's timeout; more, e.g. a whole province at once, is the command line's job.
PER_REQUEST = 1000


def _units_or_404(request):
    units = selectors.units_for_accounts(request.user)
    if not units.exists():
        raise Http404
    return units


@login_required
def create(request):
    """开通登录账号: a unit's members without a login each get one. The passwords are shown once, as a
    printable list or a spreadsheet, in the response to the POST; only their hashes are kept."""
    units = _units_or_404(request)
    initial = {}
    if request.GET.get("unit"):
        initial["unit"] = get_managed_or_404(units, request.user, pk=_int(request.GET["unit"]))
    else:
        initial["unit"] = units.first()
    form = CreateAccountsForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["unit"]
        waiting = list(selectors.members_without_account(unit)[: PER_REQUEST + 1])
        if len(waiting) > PER_REQUEST:
            messages.error(request, _too_many(unit))
            return redirect(f"{request.path}?unit={unit.pk}")
        accounts = services.accounts_create(members=waiting, by=request.user)
        if not accounts:
            messages.info(request, _("%(unit)s的党员都已有登录账号。") % {"unit": unit.name})
            return redirect(f"{request.path}?unit={unit.pk}")
        if form.cleaned_data["format"] == "xlsx":
            return _xlsx(accounts, unit)
        return render(request, "accounts/handout.html", {"unit": unit, "accounts": accounts, "now": timezone.now()})
    unit = form["unit"].value() if form.is_bound else initial["unit"]
    unit = unit if isinstance(unit, OrgUnit) else units.filter(pk=_int(unit)).first()
    waiting = selectors.members_without_account(unit).count() if unit else 0
    context = {
        "form": form,
        "unit": unit,
        "counts": selectors.account_counts(unit) if unit else None,
        "waiting": waiting,
        "too_many": _too_many(unit) if waiting > PER_REQUEST else None,
        "shown": list(selectors.members_without_account(unit)[:200]) if unit else [],
    }
    return render(request, "accounts/create.html", context)


def _too_many(unit) -> str:
    return _(
        "%(unit)s有超过 %(n)s 名党员没有账号，一次开通太多：请逐个党总支或党支部开通，"
        "或在服务器上运行 python manage.py create_accounts --unit %(code)s --out 账号.xlsx"
    ) % {"unit": unit.name, "n": PER_REQUEST, "code": unit.code}


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _xlsx(accounts, unit):
    name = _("登录账号-%(code)s-%(day)s.xlsx") % {"code": unit.code, "day": timezone.localdate().strftime("%Y%m%d")}
    return xlsx_response(lambda stream: accounts_workbook(stream, accounts), name, private=True)


@login_required
def password_reset(request, member_id):
    """重置密码: GET asks to confirm, POST sets a new one-time password and shows it once."""
    member = selectors.resettable_member(request.user, member_id)
    if member is None:
        raise Http404
    if request.method != "POST":
        return render(request, "accounts/reset_confirm.html", {"member": member})
    try:
        new = services.password_reset(member=member, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("members:detail", pk=member.pk)
    response = render(request, "accounts/handout.html", {"accounts": [new], "reset": True, "now": timezone.now()})
    response["Cache-Control"] = "no-store"
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's change page, which also ends the one-time password's reign."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = services.must_change_password(self.request.user)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=form.user)
        return response
