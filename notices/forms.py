from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Delivery, LeadTimeSetting, NoticePreference, UnitWebhook


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NoticePreference
        fields = ["email_enabled", "email_mode"]
        widgets = {"email_mode": forms.RadioSelect}
        help_texts = {"email_enabled": _("关闭后只在站内“通知”中提醒，不再发邮件。站内通知始终保留。")}


class LeadTimeForm(forms.ModelForm):
    class Meta:
        model = LeadTimeSetting
        fields = ["meeting_days", "problem_days", "probation_days", "term_days"]


def _https_by_default(field, **kwargs):
    # A robot's address typed without a scheme is an https one (as Django 6 will assume anyway).
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class WebhookForm(forms.ModelForm):
    class Meta:
        model = UnitWebhook
        fields = ["kind", "url", "secret", "enabled"]
        formfield_callback = _https_by_default
        widgets = {
            "url": forms.URLInput(attrs={"placeholder": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"})
        }


class UnitCodeForm(forms.Form):
    code = forms.CharField(label=_("单位编码"), max_length=32)


class TestEmailForm(forms.Form):
    address = forms.EmailField(label=_("收件邮箱"))


INAPP = "inapp"


class SentFilter(forms.Form):
    channel = forms.ChoiceField(
        label=_("渠道"),
        required=False,
        choices=[("", _("邮件和群消息")), *Delivery.Channel.choices, (INAPP, _("站内通知"))],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), *Delivery.Status.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
