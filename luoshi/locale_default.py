from django.middleware.locale import LocaleMiddleware


class ChineseUnlessChosen(LocaleMiddleware):
    """The site speaks Chinese whatever language the browser asks for; the language switch (a cookie) picks English."""

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
