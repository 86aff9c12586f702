"""Let the public pages keep a whole visit in one browser-history entry (see static/public/history.js).

A form sent by history.js carries ``X-Replace-History: 1``. A redirect answer to such a request
would be followed by fetch() itself, which would GET the next page once too often (the receipt
page shows the codename only once). So the redirect is turned into ``200`` with the target in
``X-Redirect-To``; the script then replaces the current history entry with that address.
Staff, admin and API requests are left alone.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

STAFF_PREFIXES = ("/staf/", "/admin/", "/api/")


class ReplaceHistoryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (request.headers.get("X-Replace-History") == "1" and response.status_code in (301, 302, 303, 307, 308)
                and not request.path.startswith(STAFF_PREFIXES) and response.has_header("Location")):
            response["X-Redirect-To"] = response["Location"]
            del response["Location"]
            response.status_code = 200
            response.reason_phrase = "OK"
            response["Cache-Control"] = "no-store, max-age=0"
        return response
