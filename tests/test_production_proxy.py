"""Production behind a TLS reverse proxy (issue 9 item 2), against the real server.

``salingsapa serve`` with ``SALINGSAPA_ENV=production`` (gunicorn, several workers, Redis for the
shared counters) behind one real proxy hop (tests/proxyhop.py, which does what the nginx snippet in
docs/operations.md does). Clients connect from different loopback addresses (127.0.0.2, .3, .5), so
the proxy sees several people; only 127.0.0.1 is a trusted proxy.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import uuid

import pytest

from bench.prodserver import HOST, ProductionServer, redis_available
from tests.proxyhop import ProxyHop

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not redis_available() and not os.environ.get("CI"),
                       reason="Redis is not answering on 127.0.0.1:6379 (it runs in CI)"),
]

REPORT_LIMIT = 3


@pytest.fixture(scope="module")
def server():
    with ProductionServer(workers=3, env={"SALINGSAPA_REPORT_RATE_LIMIT": str(REPORT_LIMIT)}) as srv:
        proxy = ProxyHop(srv.port)
        srv.proxy_port = proxy.port
        yield srv
        proxy.close()


def request(port: int, method: str, path: str, *, source: str, headers: dict[str, str] | None = None,
            body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def junk_report(port: int, source: str, **headers: str) -> int:
    status, _, _ = request(port, "POST", "/api/v1/reports", source=source, body=b"{}",
                           headers={"Content-Type": "application/json", **headers})
    return status


def test_healthz_through_the_proxy_is_200_with_hsts_and_no_redirect(server):
    status, headers, body = request(server.proxy_port, "GET", "/healthz", source="127.0.0.2")
    assert status == 200, (status, headers.get("location"))
    assert json.loads(body) == {"status": "ok"}
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert headers["referrer-policy"] == "same-origin"


def test_pages_through_the_proxy_are_served_not_redirected(server):
    status, headers, _ = request(server.proxy_port, "GET", "/", source="127.0.0.2")
    assert status == 200, (status, headers.get("location"))
    assert "strict-transport-security" in headers


def test_direct_plain_http_is_redirected_and_forwarded_proto_from_outside_is_ignored(server):
    status, headers, _ = request(server.port, "GET", "/", source="127.0.0.5",
                                 headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.1.1"})
    assert status == 301 and headers["location"] == f"https://{HOST}/"
    assert "strict-transport-security" not in headers
    # a monitor probing the app itself gets its answer (healthz is exempt from the redirect)
    assert request(server.port, "GET", "/healthz", source="127.0.0.5")[0] == 200


def test_api_over_plain_http_is_refused_not_redirected(server):
    status, headers, body = request(server.port, "POST", "/api/v1/reports", source="127.0.0.5", body=b"{}",
                                    headers={"Content-Type": "application/json", "X-Forwarded-Proto": "https"})
    assert status == 403 and "location" not in headers
    assert b"HTTPS" in body


def _report(port: int) -> dict[str, str]:
    payload = {
        "reporter_role": "victim", "in_danger_now": False,
        "narrative": "Saya dipukul oleh tetangga di depan rumah kemarin sore.",
        "violence_forms": ["fisik"], "victim": {"sex": "female", "age_group": "25-44", "is_child": False},
        "kelurahan_code": "36.73.01.1001",
    }
    status, _, body = request(port, "POST", "/api/v1/reports", source="127.0.0.9", body=json.dumps(payload).encode(),
                              headers={"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, body
    return json.loads(body)


def test_form_post_with_an_https_origin_is_accepted_and_a_foreign_origin_refused(server):
    created = _report(server.proxy_port)
    status, headers, body = request(server.proxy_port, "GET", "/lapor/cek/", source="127.0.0.2")
    assert status == 200
    cookie = re.search(r"(ss_csrf=[^;]+)", headers["set-cookie"]).group(1)
    assert "Secure" in headers["set-cookie"]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = f"csrfmiddlewaretoken={token}&reference={created['reference']}&codename={created['codename'].replace(' ', '+')}"

    def post(origin: str) -> tuple[int, dict[str, str], bytes]:
        return request(server.proxy_port, "POST", "/lapor/cek/", source="127.0.0.2", body=form.encode(), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
            "Origin": origin, "Referer": f"{origin}/lapor/cek/"})

    status, headers, body = post(f"https://{HOST}")
    assert status == 303, body[:500]
    assert headers["location"] == "/lapor/cek/"
    assert "ss_session=" in headers["set-cookie"]
    assert post("https://evil.example")[0] == 403


def test_two_clients_behind_the_proxy_are_limited_separately(server):
    port = server.proxy_port
    statuses = [junk_report(port, "127.0.0.2") for _ in range(REPORT_LIMIT + 1)]
    assert statuses[:REPORT_LIMIT] == [400] * REPORT_LIMIT and statuses[-1] == 429
    # the other person behind the same proxy still has a budget
    assert junk_report(port, "127.0.0.3") == 400


def test_a_client_behind_the_proxy_cannot_pick_its_bucket_with_its_own_forwarded_for(server):
    port = server.proxy_port
    statuses = [junk_report(port, "127.0.0.4", **{"X-Forwarded-For": f"10.0.0.{i}"}) for i in range(REPORT_LIMIT + 1)]
    assert statuses[-1] == 429, statuses


def test_spoofed_forwarded_for_from_an_untrusted_address_is_ignored(server):
    """127.0.0.6 is not a trusted proxy: whatever it writes into X-Forwarded-For (here: the addresses
    of the people behind it, plus their own spoofed entries) is not believed, so they share its bucket."""
    untrusted = ProxyHop(server.proxy_port, source="127.0.0.6")
    try:
        statuses = [junk_report(untrusted.port, f"127.0.0.{7 + i % 2}", **{"X-Forwarded-For": f"10.0.1.{i}"})
                    for i in range(REPORT_LIMIT + 1)]
    finally:
        untrusted.close()
    assert statuses[:REPORT_LIMIT] == [400] * REPORT_LIMIT and statuses[-1] == 429, statuses
    # the people behind the trusted proxy are not affected
    assert junk_report(server.proxy_port, "127.0.0.7") == 400


def test_production_serves_with_several_gunicorn_workers(server):
    assert len(server.worker_pids()) == 3
    assert "gunicorn" in server.log.read_text()


def test_a_huge_body_is_refused_before_it_is_sent(server):
    """300 MB announced, nothing sent: the 413 comes back at once (the body is never waited for)."""
    import socket
    import time

    with socket.create_connection(("127.0.0.1", server.port), timeout=15, source_address=("127.0.0.1", 0)) as sock:
        started = time.monotonic()
        sock.sendall(f"POST /lapor/bukti/ HTTP/1.1\r\nHost: {HOST}\r\nX-Forwarded-Proto: https\r\n"
                     "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 300000000\r\n\r\n".encode())
        answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert time.monotonic() - started < 10
