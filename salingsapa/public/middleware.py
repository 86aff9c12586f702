"""Public-surface middleware.

``ForbiddenCharactersMiddleware`` — refuse query and form values no database can store, before any view sees them.

A NUL byte (``%00``) in a query string or a form field makes PostgreSQL refuse the query (a 500
where a lookup should simply find nothing), and an unpaired surrogate cannot be encoded at all.
No person types either; the answer is a 400 in the public pages' style (JSON under ``/api/``),
with no trace of the value in the response or the logs.

Multipart bodies are left to the views (their upload handlers are set per view, and Django's
form fields refuse NUL in text); JSON bodies are checked by intake's schema.

``ReplaceHistoryMiddleware`` — Let the public pages keep a whole visit in one browser-history entry (see static/public/history.js).

A form sent by history.js carries ``X-Replace-History: 1``. A redirect answer to such a request
would be followed by fetch() itself, which would GET the next page once too often (the receipt
page shows the codename only once). So the redirect is turned into ``200`` with the target in
``X-Redirect-To``; the script then replaces the current history entry with that address.
Staff, admin and API requests are left alone.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from salingsapa.core.textinput import has_forbidden_characters


def _hostile(values: QueryDict) -> bool:
    for key, items in values.lists():
        if has_forbidden_characters(key) or any(has_forbidden_characters(v) for v in items if isinstance(v, str)):
            return True
    return False


def _hostile_form_body(request: HttpRequest) -> bool:
    """A urlencoded body with an encoded (or raw) NUL. The body is read, never parsed here: a view
    may still choose its upload handlers. (Invalid UTF-8 such as an encoded lone surrogate
    decodes to U+FFFD, so NUL is the one character a urlencoded form can smuggle in.)"""
    if request.method != "POST" or request.content_type != "application/x-www-form-urlencoded":
        return False
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return False  # the view answers 413 without reading it
    body = request.body
    return b"%00" in body or b"\x00" in body


class ForbiddenCharactersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _hostile(request.GET) or _hostile_form_body(request):
            return self._refuse(request)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest) -> HttpResponse:
        message = _("Isian berisi karakter yang tidak diizinkan. Periksa lagi lalu coba kembali.")
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message, "errors": {"query": [message]},
                                     "codes": {"query": ["invalid_characters"]}}, status=400)
        else:
            response = render(request, "public/message.html", {
                "title": _("Permintaan tidak dapat diproses"),
                "message": message,
                "quick_exit_url": settings.QUICK_EXIT_URL,
                "current_path": "/",
            }, status=400)
        response["Cache-Control"] = "no-store, max-age=0"
        return response


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
