"""Reading a query string: junk is ignored with a message or answered 404, never a 500.

Views read numbers, years, ids and texts to look up from `request.GET` through these (a value only
compared with a fixed list of choices, or a page number for Paginator.get_page, which copes with any,
may be read as it is). A parameter that is absent gives the default; one that is junk (not a number,
negative, too large for the database, ², a NUL byte) gives the default too, and the page says what was
ignored — or, for the id of an object, a 404, as for an object the user may not see.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404
from django.utils.translation import gettext as _

from .dates import FIRST_YEAR, LAST_YEAR

# The largest id a bigint primary key holds; larger ones are no object's.
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")
_SHOWN = 30  # characters of a junk value repeated in the message


def _raw(params, name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value)


def _ignored(request, name: str, value: str, warn: bool) -> None:
    if warn:
        shown = value.replace("\x00", "").strip()[:_SHOWN]
        text = _("参数“%(name)s”的值“%(value)s”无效，已忽略") % {"name": name, "value": shown}
        messages.warning(request, text, fail_silently=True)


def parse_int(value: str, low: int, high: int) -> int | None:
    """The number in `value` if it is plain ASCII digits (an optional minus) within low–high, else None."""
    text = value.strip()
    negative = text.startswith("-")
    if negative:
        text = text[1:]
    if not _DIGITS.fullmatch(text):
        return None
    number = -int(text) if negative else int(text)
    return number if low <= number <= high else None


def query_int(
    request, name: str, default: int | None = None, *, low: int = 0, high: int = MAX_ID, warn=True, strict=False
):
    """An integer parameter within low–high; absent: `default`; junk: `default` with a message, or a
    404 when `strict` (a page whose address names the year, as a link to it would)."""
    raw = _raw(request.GET, name).strip()
    if not raw:
        return default
    number = parse_int(raw, low, high)
    if number is None:
        if strict:
            raise Http404
        _ignored(request, name, raw, warn)
        return default
    return number


def query_year(
    request, default: int, name: str = "year", *, low: int = FIRST_YEAR, high: int = LAST_YEAR, warn=True, strict=False
):
    """A year within low–high (by default the bounds of every date, core/dates.py); else as query_int."""
    return query_int(request, name, default, low=low, high=high, warn=warn, strict=strict)


def query_id(request, name: str, *, params=None) -> int | None:
    """The id of an object named in the query string (or in `params`, e.g. request.POST): None when
    absent, 404 when it is no id at all, as for an object that does not exist."""
    raw = _raw(request.GET if params is None else params, name).strip()
    if not raw:
        return None
    number = parse_int(raw, 1, MAX_ID)
    if number is None:
        raise Http404
    return number


def query_text(request, name: str, default: str = "", *, max_length: int = 100, params=None) -> str:
    """A search text (or, from `params` such as request.POST, a name to look up): NUL bytes (which
    PostgreSQL cannot compare) removed, trimmed, cut to max_length."""
    raw = (request.GET if params is None else params).get(name)
    if raw is None:
        return default
    return raw.replace("\x00", "").strip()[:max_length]


def query_choice(request, name: str, choices, default: str | None = None, *, warn=True):
    """One of `choices` (values), else `default`."""
    raw = _raw(request.GET, name)
    if not raw:
        return default
    if raw in {str(choice) for choice in choices}:
        return raw
    _ignored(request, name, raw, warn)
    return default
