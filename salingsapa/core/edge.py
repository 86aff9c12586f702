"""The edge of the app: what happens to a request before any view (or CSRF check) looks at it.

``TrustedProxyMiddleware`` — behind a TLS reverse proxy the TCP peer is the proxy, not the person.
Only when the peer is one of ``settings.TRUSTED_PROXIES`` (``SALINGSAPA_TRUSTED_PROXIES``) are its
``X-Forwarded-For`` and ``X-Forwarded-Proto`` believed: ``REMOTE_ADDR`` becomes the nearest address
in ``X-Forwarded-For`` that is not itself a trusted proxy (walking from the right, so whatever a
client wrote into the header itself is ignored), and the scheme becomes the proxy's
``X-Forwarded-Proto``. From any other peer the forwarded headers are dropped, so nothing further
in (Django's ``is_secure()``, the rate limits through ``intake.ratelimit.client_ip``) can be fooled.

``BodyLimitMiddleware`` — a request that announces a body larger than ``settings.REQUEST_MAX_BYTES``
gets a 413 before a byte of the body is read; a body of unknown length (chunked) gets a 411.
The WSGI servers add their own limit in front (Waitress ``max_request_body_size``; with gunicorn,
the proxy's ``client_max_body_size``), see docs/operations.md.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

security_log = logging.getLogger("salingsapa.security")  # fixed words and numbers only: no address, no path

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_REAL_IP", "HTTP_FORWARDED")
MACHINE_PATHS = ("/api/", "/webhooks/")  # answered, never redirected, on plain http (see below)
PEER_KEY = "salingsapa.proxy_peer"  # the TCP peer, kept in META when a trusted proxy forwarded the request


def parse_address(text: str) -> IPAddress | None:
    """An address as proxies write it: ``1.2.3.4``, ``1.2.3.4:5678``, ``::1``, ``[::1]:5678``."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(address: IPAddress | None, networks: Iterable[Network]) -> bool:
    return address is not None and any(address in network for network in networks)


def real_client(peer: str, forwarded_for: str, networks: list[Network]) -> str:
    """The client address of a request that reached us from ``peer`` with this ``X-Forwarded-For``."""
    peer_address = parse_address(peer)
    if not is_trusted(peer_address, networks):
        return peer
    client = str(peer_address)
    for hop in reversed([h for h in forwarded_for.split(",") if h.strip()]):
        address = parse_address(hop)
        if address is None:  # garbage in the header: stop at the last address we could believe
            break
        client = str(address)
        if not is_trusted(address, networks):
            break
    return client


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        networks = settings.TRUSTED_PROXIES
        peer = str(meta.get("REMOTE_ADDR", "") or "")
        if networks and is_trusted(parse_address(peer), networks):
            meta[PEER_KEY] = peer
            meta["REMOTE_ADDR"] = real_client(peer, str(meta.get("HTTP_X_FORWARDED_FOR", "")), networks)
            proto = str(meta.get("HTTP_X_FORWARDED_PROTO", "")).split(",")[-1].strip().lower()
            if proto in {"http", "https"}:
                meta["wsgi.url_scheme"] = proto
        for header in FORWARDED_HEADERS:
            meta.pop(header, None)
        if settings.SECURE_SSL_REDIRECT and not request.is_secure() and request.path.startswith(MACHINE_PATHS):
            # ASVS 4.1.2: only pages redirect to https; a machine client on plain http must fail loudly,
            # not have its body silently sent in the clear and then again.
            response = HttpResponse('{"detail": "HTTPS diperlukan. / HTTPS required."}', status=403,
                                    content_type="application/json")
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)


def too_large(status: int = 413) -> HttpResponse:
    text = {
        413: "Kiriman terlalu besar. / Request too large.\n",
        411: "Panjang kiriman harus disebutkan. / Length required.\n",
    }[status]
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Connection"] = "close"
    response["Cache-Control"] = "no-store"
    return response


class BodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("CONTENT_LENGTH") or ""
        if raw:
            try:
                length = int(raw)
            except ValueError:
                return HttpResponse("Content-Length?\n", status=400, content_type="text/plain; charset=utf-8")
            if length > settings.REQUEST_MAX_BYTES:
                security_log.warning("request refused before reading: body of %d bytes over the %d-byte limit",
                                     length, settings.REQUEST_MAX_BYTES)
                return too_large(413)
        elif "chunked" in str(request.META.get("HTTP_TRANSFER_ENCODING", "")).lower():
            security_log.warning("request refused before reading: chunked body of unknown length")
            return too_large(411)
        return self.get_response(request)
