from functools import cached_property

from . import selectors


class UnreadBell:
    """The bell's count: one query, made only when a page shows it, and once per request whatever
    the number of templates that ask."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        return selectors.unread_count(self.user)

    @property
    def label(self) -> str:
        return "99+" if self.count > 99 else str(self.count)


def unread_notices(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    bell = getattr(request, "_notice_bell", None)
    if bell is None:
        bell = request._notice_bell = UnreadBell(user)
    return {"notice_bell": bell}
