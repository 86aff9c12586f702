"""The Cloud API webhook: ``GET`` answers Meta's handshake, ``POST`` takes a signed delivery.

A POST is checked before anything is stored: the body's size (413 above
``WHATSAPP_WEBHOOK_MAX_BYTES``, read no further), then ``X-Hub-Signature-256`` — HMAC-SHA256 of
the raw request bytes with the app secret, compared in constant time (401 when missing or wrong;
nothing stored). A signed delivery is stored sealed with its job in one transaction and answered
200 at once; the job reads it (``channels.services.delivery_process``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from salingsapa.channels.services import delivery_store

security_log = logging.getLogger("salingsapa.security")
SIGNATURE_HEADER = "HTTP_X_HUB_SIGNATURE_256"


def signature_valid(body: bytes, header: str, secret: str) -> bool:
    """``header`` is ``sha256=<hex>`` of HMAC-SHA256(secret, body); constant-time comparison."""
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), header[len("sha256="):].strip().lower().encode("ascii", "replace"))


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # Meta cannot hold a CSRF token: every POST is authenticated by its signature instead
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    if not settings.WHATSAPP_ENABLED:
        raise Http404
    if request.method == "GET":
        return _handshake(request)
    limit = settings.WHATSAPP_WEBHOOK_MAX_BYTES
    try:
        announced = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        announced = 0
    if announced > limit:
        security_log.warning("whatsapp webhook: body of %d bytes refused (limit %d)", announced, limit)
        return _no_store(JsonResponse({"error": "too large"}, status=413))
    body = request.read(limit + 1)
    if len(body) > limit:
        return _no_store(JsonResponse({"error": "too large"}, status=413))
    if not signature_valid(body, request.META.get(SIGNATURE_HEADER, ""), settings.WHATSAPP_APP_SECRET):
        security_log.warning("whatsapp webhook: missing or wrong signature")
        return _no_store(JsonResponse({"error": "bad signature"}, status=401))
    try:
        text = body.decode("utf-8")
        payload = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        return _no_store(JsonResponse({"error": "not JSON"}, status=400))
    if not isinstance(payload, dict):
        return _no_store(JsonResponse({"error": "not a JSON object"}, status=400))
    delivery_store(body=text)
    return _no_store(HttpResponse("OK", content_type="text/plain"))


def _handshake(request: HttpRequest) -> HttpResponse:
    token = settings.WHATSAPP_VERIFY_TOKEN
    given = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    if (request.GET.get("hub.mode") == "subscribe" and token and challenge
            and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))):
        return _no_store(HttpResponse(challenge[:200], content_type="text/plain"))
    return _no_store(HttpResponse("Forbidden", status=403, content_type="text/plain"))
