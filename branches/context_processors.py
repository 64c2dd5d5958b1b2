from .access import scope_for


def navigation(request):
    """The signed-in user's scope, so the navigation shows each role only what it can do."""
    user = getattr(request, "user", None)
    return {"scope": scope_for(user) if user is not None else None}
