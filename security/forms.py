from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from core.forms import DateField

from .models import SignInEvent

# Nothing was logged before the app existed; a year like 0001 would overflow the time-zone shift.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
_DATE_BOUNDS = [
    MinValueValidator(EARLIEST, message=_("日期不合理：不能早于2000年")),
    MaxValueValidator(LATEST, message=_("日期不合理：不能晚于2099年")),
]


class SignInFilterForm(forms.Form):
    """The sign-in log's filters. Junk in a field is reported on it and that filter is left out."""

    username = forms.CharField(label=_("用户名"), required=False, max_length=150)
    kind = forms.ChoiceField(label=_("结果"), required=False, choices=[("", _("全部")), *SignInEvent.Kind.choices])
    since = DateField(
        label=_("起始日期"), required=False, validators=_DATE_BOUNDS, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = DateField(
        label=_("截止日期"), required=False, validators=_DATE_BOUNDS, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_username(self):
        return self.cleaned_data["username"].replace("\0", "").strip()

    def filters(self) -> dict:
        """The valid filters, as keyword arguments for selectors.signin_events."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in ("username", "kind", "since", "until") if data.get(name)}
