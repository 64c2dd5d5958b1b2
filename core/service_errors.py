"""Putting a service's ValidationError where the user reads it: on the form, or in a flash message.

Services raise ValidationError with Chinese messages, keyed by field where they name one
(`{"unit": "…"}`) or plain. A view that redraws its form shows them with `add_service_errors`; a view
that redirects shows them with `flash_service_errors`.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names, else above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        target = name if name in form.fields and name != NON_FIELD_ERRORS else None
        form.add_error(target, errors)


def flash_service_errors(request: HttpRequest, exc: ValidationError) -> None:
    """Show each message of a service's ValidationError as an error on the next page."""
    for message in exc.messages:
        messages.error(request, message)
