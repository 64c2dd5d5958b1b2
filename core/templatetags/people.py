from django import template

from core.audit import display_name

register = template.Library()


@register.filter
def person(user) -> str:
    """A user's name as Chinese writes it: `{{ user|person }}`."""
    return display_name(user) if user is not None else ""
