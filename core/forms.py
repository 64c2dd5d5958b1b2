"""Form fields every app uses for what users type: dates within the sensible bounds of core/dates.py.

Every DateField and DateTimeField of every form is one of these (a plain form declares it, a ModelForm
names it in `Meta.field_classes`); tests/core/test_dates.py checks that none is left out. The browser's
date picker gets the same bounds as min/max.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .dates import FIRST_DAY, FIRST_YEAR, LAST_DAY, LAST_YEAR, validate_sensible_date


def _bounds(kind: str) -> dict[str, str]:
    if kind == "date":
        return {"min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}
    return {"min": f"{FIRST_DAY.isoformat()}T00:00", "max": f"{LAST_DAY.isoformat()}T23:59"}


def _input_type(widget) -> str:
    return widget.attrs.get("type") or getattr(widget, "input_type", "")


class DateField(forms.DateField):
    """A date from FIRST_YEAR to LAST_YEAR; anything else is refused with 年份不合理."""

    default_validators = [validate_sensible_date]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if _input_type(widget) == "date":
            attrs.update(_bounds("date"))
        return attrs


class DateTimeField(forms.DateTimeField):
    """A date and time from FIRST_YEAR to LAST_YEAR; anything else is refused with 年份不合理."""

    default_validators = [validate_sensible_date]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if _input_type(widget) == "datetime-local":
            attrs.update(_bounds("datetime-local"))
        return attrs


class YearField(forms.IntegerField):
    """A year typed or picked in a filter: FIRST_YEAR to LAST_YEAR."""

    default_error_messages = {
        "invalid": _("年度应为数字"),
        "min_value": _("年份不合理：年度应在 %(limit_value)s 年及以后"),
        "max_value": _("年份不合理：年度应在 %(limit_value)s 年及以前"),
    }

    def __init__(self, *, min_value=FIRST_YEAR, max_value=LAST_YEAR, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)
