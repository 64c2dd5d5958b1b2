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
