"""Pages: each person's inbox and preferences; the committee's settings, robots and sent-message list.

A notice is reached only through its recipient's queryset (others get 404, the committee too); the
committee's pages answer 404 to everyone else. Sending never happens here: services queue it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from branches.access import get_visible_or_404, scope_for
from branches.models import OrgUnit
from core.params import parse_int

from . import channels, selectors, services
from .forms import INAPP, LeadTimeForm, PreferenceForm, SentFilter, TestEmailForm, UnitCodeForm, WebhookForm
from .models import Delivery, LeadTimeSetting, Notice, UnitWebhook

INBOX_PAGE = 20
LIST_PAGE = 50


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for ms in exc.message_dict.values() for m in ms]
    return list(exc.messages)


def _committee_only(request):
    if not scope_for(request.user).is_committee:
        raise Http404


# The inbox ------------------------------------------------------------------------------------


@login_required
def inbox(request):
    page = Paginator(selectors.inbox(request.user), INBOX_PAGE).get_page(request.GET.get("page"))
    return render(request, "notices/inbox.html", {"page": page})


@login_required
def notice_open(request, pk):
    """Follow a notice to what it is about, marking it read on the way."""
    notice = get_visible_or_404(Notice.objects.select_related("occasion"), request.user, pk=pk)
    services.notice_read(notice=notice)
    target = notice.occasion.url
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "notices:inbox"
    return redirect(target)


@login_required
@require_POST
def notice_read(request, pk):
    notice = get_visible_or_404(Notice.objects.all(), request.user, pk=pk)
    services.notice_read(notice=notice)
    return redirect(_back(request))


@login_required
@require_POST
def read_all(request):
    count = services.notices_read_all(user=request.user)
    if count:
        text = ngettext("已将 %(count)s 条通知标为已读。", "已将 %(count)s 条通知标为已读。", count)
        messages.success(request, text % {"count": count})
    return redirect(_back(request))


def _back(request) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "notices:inbox"


@login_required
def preferences(request):
    preference = selectors.preference(request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        services.preference_set(user=request.user, **form.cleaned_data)
        messages.success(request, _("通知设置已保存。"))
        return redirect("notices:preferences")
    return render(
        request,
        "notices/preferences.html",
        {"form": form, "person": selectors.person(request.user), "console": channels.uses_console()},
    )


# The committee: lead times and robots ----------------------------------------------------------


@login_required
def settings_page(request):
    _committee_only(request)
    today = timezone.localdate()
    year = today.year
    requested = parse_int(request.GET.get("year") or request.POST.get("year") or "", 2000, 2100)
    if requested is not None:
        year = requested
    current = LeadTimeSetting.objects.filter(year=year).first()
    effective = selectors.lead_times(year)
    initial = {
        "meeting_days": effective.meetings,
        "problem_days": effective.problems,
        "probation_days": effective.probation,
        "term_days": effective.term,
    }
    form = LeadTimeForm(request.POST or None, instance=current, initial=initial if current is None else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lead_times_set(year=year, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for error in _errors(exc):
                form.add_error(None, error)
        else:
            messages.success(request, _("%(year)s年度的提醒提前天数已保存。") % {"year": year})
            return redirect(f"{request.path}?year={year}")
    hooks = Paginator(UnitWebhook.objects.visible_to(request.user).select_related("unit"), LIST_PAGE)
    return render(
        request,
        "notices/settings.html",
        {
            "form": form,
            "year": year,
            "years": range(today.year + 1, today.year - 4, -1),
            "saved": current,
            "hooks": hooks.get_page(request.GET.get("page")),
            "find_form": UnitCodeForm(),
            "test_form": TestEmailForm(initial={"address": selectors.person(request.user).address}),
            "console": channels.uses_console(),
        },
    )


@login_required
def webhook_find(request):
    _committee_only(request)
    form = UnitCodeForm(request.GET or None)
    if form.is_valid():
        unit = OrgUnit.objects.visible_to(request.user).filter(code=form.cleaned_data["code"].strip()).first()
        if unit is not None:
            return redirect("notices:webhook", unit_id=unit.pk)
        messages.error(request, _("找不到编码为“%(code)s”的单位。") % {"code": form.cleaned_data["code"]})
    return redirect("notices:settings")


@login_required
def webhook_edit(request, unit_id):
    _committee_only(request)
    unit = get_visible_or_404(OrgUnit.objects, request.user, pk=unit_id)
    hook = UnitWebhook.objects.visible_to(request.user).filter(unit=unit).first()
    action = request.POST.get("action")
    if request.method == "POST" and action == "delete" and hook is not None:
        services.webhook_delete(hook=hook, by=request.user)
        messages.success(request, _("已删除%(unit)s的群机器人。") % {"unit": unit.name})
        return redirect("notices:settings")
    if request.method == "POST" and action == "test" and hook is not None:
        services.delivery_test_chat(hook=hook, by=request.user)
        messages.success(request, _("测试消息已交给后台发送，结果见发送记录。"))
        return redirect("notices:sent")
    form = WebhookForm(request.POST if action == "save" else None, instance=hook)
    if action == "save" and form.is_valid():
        try:
            services.webhook_set(unit=unit, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("已保存%(unit)s的群机器人。") % {"unit": unit.name})
            return redirect("notices:webhook", unit_id=unit.pk)
    return render(request, "notices/webhook.html", {"unit": unit, "hook": hook, "form": form})


# The committee: what was sent -------------------------------------------------------------------


@login_required
def sent_list(request):
    _committee_only(request)
    filters = SentFilter(request.GET or None)
    channel = status = ""
    if filters.is_valid():
        channel, status = filters.cleaned_data["channel"], filters.cleaned_data["status"]
    if channel == INAPP:
        rows = Notice.objects.listed_for(request.user).select_related("occasion", "recipient", "recipient__member")
    else:
        rows = Delivery.objects.visible_to(request.user).select_related("recipient", "recipient__member", "unit")
        if channel:
            rows = rows.filter(channel=channel)
        if status:
            rows = rows.filter(status=status)
    page = Paginator(rows.order_by("-created_at", "-pk"), LIST_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    failed = Delivery.objects.visible_to(request.user).filter(status=Delivery.Status.FAILED).count()
    return render(
        request,
        "notices/sent.html",
        {
            "page": page,
            "filters": filters,
            "inapp": channel == INAPP,
            "query": query.urlencode(),
            "failed": failed,
            "console": channels.uses_console(),
        },
    )


@login_required
def delivery_detail(request, pk):
    _committee_only(request)
    delivery = get_visible_or_404(Delivery.objects.select_related("recipient", "unit"), request.user, pk=pk)
    if request.method == "POST":
        try:
            services.delivery_retry(delivery=delivery, by=request.user)
        except ValidationError as exc:
            for error in _errors(exc):
                messages.error(request, error)
        else:
            messages.success(request, _("已重新交给后台发送，稍后刷新查看结果。"))
        return redirect("notices:delivery", pk=delivery.pk)
    notices = delivery.notices.select_related("occasion").order_by("pk")
    occasions = delivery.occasions.order_by("pk")
    return render(
        request,
        "notices/delivery.html",
        {"delivery": delivery, "notices": notices, "occasions": occasions, "console": channels.uses_console()},
    )


@login_required
@require_POST
def test_email(request):
    _committee_only(request)
    form = TestEmailForm(request.POST)
    if form.is_valid():
        services.delivery_test_email(by=request.user, address=form.cleaned_data["address"])
        messages.success(request, _("测试邮件已交给后台发送，结果见发送记录。"))
        return redirect("notices:sent")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("notices:settings")
