from django.middleware.locale import LocaleMiddleware


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Chinese unless the user chose English with the language switch.

    Django's LocaleMiddleware also follows the browser's Accept-Language, which would show English
    to a secretary whose browser happens to be set to English, beside roster data that stays
    Chinese. Here only the explicit choice (the language cookie) counts.
    """

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than any upload the app accepts, before Django reads it.

    Django streams an upload to a temporary file before any form can look at its size, so a 2 GB
    file would fill the disk and hold a worker for minutes. The largest file the app takes is a
    spreadsheet import (IMPORT_MAX_UPLOAD_BYTES; attachments are smaller), so a body beyond that, plus
    room for the form's other fields, is answered at once with a Chinese 413 page. The reverse
    proxy should refuse the same (client_max_body_size; docs/deployment.md).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.http import HttpResponse
        from django.template.loader import render_to_string

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_MAX_BYTES
        if length > limit:
            body = render_to_string(
                "413.html", {"limit_mb": limit // (1024 * 1024), "size_mb": length // (1024 * 1024)}
            )
            return HttpResponse(body, status=413)
        return self.get_response(request)
