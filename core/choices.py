"""Model and form choices built from the label tables of the rule modules.

A rule module names its values and their Chinese labels once, marked with gettext_noop: the rules
write those labels into the reasons and workbooks they produce, which are stored and read in
Chinese. A model's TextChoices (or a form's choices) take the same labels through gettext_lazy, so
the pages show them in the reader's language. The label is defined once; the catalogue finds it
where the rule module marks it.
"""

from collections.abc import Mapping
from typing import TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

V = TypeVar("V")


def choice(value: V, labels: Mapping[V, str]) -> tuple[V, Promise]:
    """One member of a TextChoices/IntegerChoices class: `value` with its label from `labels`."""
    return value, gettext_lazy(labels[value])


def choices(labels: Mapping[V, str]) -> list[tuple[V, Promise]]:
    """Every (value, label) of `labels`, in its order: for a field's or a form's `choices`."""
    return [choice(value, labels) for value in labels]
