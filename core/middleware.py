"""A database that is down answers the Chinese "service unavailable" page (503), never a 500.

Two places notice it:
- before anything reads the session and the user (both in the database): a request that carries a
  session cookie has its connection opened first, so a refused or timed-out connection answers 503
  before the middlewares below this one (the password-change check, history, axes) would fail with a
  500. A request without a session (the login page, the favicon) does not need the database up front;
- a view, or the rendering of its template, that fails on the database (process_exception):
  OperationalError covers a refused connection, one that dropped, a lock or a statement that timed
  out; InterfaceError a connection already closed. All say "try again shortly", which is what 503 means.

The page is `templates/503.html`, rendered with no request: no context processor, no user, no URL
lookup, nothing that queries. It is in the language the request chose (the language middleware runs
before this one and reads only the cookie).
"""

import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Seconds a browser or a proxy is told to wait before trying again.
RETRY_AFTER = 60


def unavailable() -> HttpResponse:
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            try:
                connections[DEFAULT_DB_ALIAS].ensure_connection()
            except DATABASE_ERRORS:
                logger.error("database unavailable: %s %s answered 503", request.method, request.path, exc_info=True)
                return unavailable()
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            logger.error("database error: %s %s answered 503", request.method, request.path, exc_info=exception)
            return unavailable()
        return None
