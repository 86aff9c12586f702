"""The edge middleware: which forwarded headers are believed, and early refusal of large bodies."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import RequestFactory, override_settings

from salingsapa.core.edge import BodyLimitMiddleware, TrustedProxyMiddleware, real_client
from salingsapa.intake.ratelimit import client_ip
from tests.test_settings_config import _production, _run

NETS = [ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128")]


@pytest.mark.parametrize(
    "peer,xff,expected",
    [
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),  # untrusted peer: its header means nothing
        ("127.0.0.1", "", "127.0.0.1"),  # the proxy itself (e.g. a health check on the box)
        ("127.0.0.1", "198.51.100.7", "198.51.100.7"),
        ("127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own entry is ignored
        ("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3", "198.51.100.7"),  # two trusted hops
        ("127.0.0.1", "garbage, 198.51.100.7", "198.51.100.7"),
        ("127.0.0.1", "198.51.100.7, garbage", "127.0.0.1"),  # unreadable nearest hop: believe nothing further
        ("::1", "2001:db8::5", "2001:db8::5"),
        ("127.0.0.1", "[2001:db8::5]:4431", "2001:db8::5"),
        ("127.0.0.1", "198.51.100.7:5555", "198.51.100.7"),
        ("::ffff:127.0.0.1", "198.51.100.7", "198.51.100.7"),
    ],
)
def test_real_client_walks_from_the_right_through_trusted_hops(peer, xff, expected):
    assert real_client(peer, xff, NETS) == expected


def _through(request):
    seen = {}

    def view(req):
        seen["ip"] = client_ip(req)
        seen["secure"] = req.is_secure()
        seen["xff"] = req.META.get("HTTP_X_FORWARDED_FOR")
        from django.http import HttpResponse

        return HttpResponse("ok")

    TrustedProxyMiddleware(view)(request)
    return seen


@override_settings(TRUSTED_PROXIES=NETS)
def test_trusted_proxy_sets_client_and_scheme_and_untrusted_headers_are_dropped():
    rf = RequestFactory()
    seen = _through(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7",
                           HTTP_X_FORWARDED_PROTO="https"))
    assert seen == {"ip": "198.51.100.7", "secure": True, "xff": None}
    seen = _through(rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7",
                           HTTP_X_FORWARDED_PROTO="https"))
    assert seen == {"ip": "203.0.113.9", "secure": False, "xff": None}


@override_settings(TRUSTED_PROXIES=[])
def test_without_trusted_proxies_nothing_forwarded_is_believed():
    seen = _through(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7",
                                         HTTP_X_FORWARDED_PROTO="https"))
    assert seen == {"ip": "127.0.0.1", "secure": False, "xff": None}


def test_body_limit_refuses_before_reading(settings):
    settings.REQUEST_MAX_BYTES = 1000
    called = []

    def view(request):
        called.append(request)

    class Unreadable:
        def read(self, *a):
            raise AssertionError("the body was read")

    request = RequestFactory().post("/lapor/bukti/", data=b"", content_type="application/octet-stream")
    request.META["CONTENT_LENGTH"] = str(300 * 1024 * 1024)
    request.META["wsgi.input"] = Unreadable()
    response = BodyLimitMiddleware(view)(request)
    assert response.status_code == 413 and not called
    request = RequestFactory().post("/lapor/bukti/", data=b"", content_type="application/octet-stream")
    request.META.pop("CONTENT_LENGTH", None)
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    assert BodyLimitMiddleware(view)(request).status_code == 411 and not called


def test_request_over_the_limit_is_413_through_the_whole_stack(client, db, settings):
    settings.REQUEST_MAX_BYTES = 100
    response = client.post("/api/v1/reports", data=b"{" + b" " * 200 + b"}", content_type="application/json")
    assert response.status_code == 413


@pytest.mark.parametrize(
    "overrides,variable",
    [
        ({"SALINGSAPA_TRUSTED_PROXIES": "nginx.local"}, "SALINGSAPA_TRUSTED_PROXIES"),
        ({"SALINGSAPA_BEHIND_PROXY": "true"}, "SALINGSAPA_BEHIND_PROXY"),
        ({"SALINGSAPA_HSTS_SECONDS": "60"}, "SALINGSAPA_HSTS_SECONDS"),
    ],
)
def test_bad_proxy_settings_stop_start_up_with_one_line(tmp_path, overrides, variable):
    result = _run(_production(**overrides), tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and variable in result.stderr


def test_csrf_trusted_origins_come_from_the_allowed_hosts(tmp_path):
    import subprocess
    import sys

    env = _production(SALINGSAPA_ALLOWED_HOSTS="lapor.serangkota.go.id,.ppa.example")
    import os

    base = {k: v for k, v in os.environ.items() if not k.startswith(("SALINGSAPA_", "DATABASE_URL", "DJANGO_SETTINGS"))}
    base.update(env, SALINGSAPA_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="salingsapa.settings")
    out = subprocess.run([sys.executable, "-c", "from django.conf import settings; print(settings.CSRF_TRUSTED_ORIGINS,"
                          " settings.TRUSTED_PROXIES, settings.SECURE_HSTS_SECONDS)"],
                         capture_output=True, text=True, env=base, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "['https://lapor.serangkota.go.id', 'https://*.ppa.example']" in out.stdout
    assert "IPv4Network('127.0.0.1/32')" in out.stdout and "31536000" in out.stdout
