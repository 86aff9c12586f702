"""Hostile images in parallel against the real production server: memory stays bounded (issue 9 item 4).

Eight people upload at once, each a small PNG whose header declares 39 megapixels (a 'pixel bomb',
~40 KB on the wire, 156 MB once decoded) and, in a second round, a PNG just under the decode budget
(16 MP) that is really decoded and re-encoded. The server (gunicorn, 3 workers) is sampled every
20 ms; its resident memory, master and workers together, must stay under the bound documented in
docs/security.md: 3 workers x (idle worker + 200 MiB) + master.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from bench.prodserver import HOST, ProductionServer, redis_available

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads memory from Linux /proc"),
    pytest.mark.skipif(not redis_available() and not os.environ.get("CI"),
                       reason="Redis is not answering on 127.0.0.1:6379 (it runs in CI)"),
]

WORKERS = 3
PER_WORKER_MIB = 200  # decode budget (16 MP x 4 bytes = 61 MiB) + request body in memory + re-encode


def png(side: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), (90, 20, 140)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _call(port, method, path, *, source_ip, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, body=body, headers={
            "Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": source_ip, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read()
    finally:
        conn.close()


def upload(port: int, person: int, data: bytes) -> tuple[int, bytes]:
    ip = f"198.51.100.{person + 1}"
    status, cookies, body = _call(port, "GET", "/lapor/bukti/", source_ip=ip)
    assert status == 200, body[:300]
    jar = "; ".join(re.findall(r"(ss_(?:csrf|session)=[^;]+)", cookies))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    boundary = uuid.uuid4().hex
    payload = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n".encode() + token
        + f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"foto.png\"\r\n"
          f"Content-Type: image/png\r\n\r\n".encode() + data + f"\r\n--{boundary}--\r\n".encode()
    )
    status, _, body = _call(port, "POST", "/lapor/bukti/", source_ip=ip, body=payload, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": jar,
        "Origin": f"https://{HOST}", "Referer": f"https://{HOST}/lapor/bukti/"})
    return status, body


@pytest.fixture(scope="module")
def server():
    with ProductionServer(workers=WORKERS) as srv:
        yield srv


def _parallel(server, data: bytes) -> tuple[list[int], int, int]:
    idle = server.rss()
    peak = [idle]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], server.rss())
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda i: upload(server.port, i, data), range(8)))
    finally:
        done.set()
        sampler.join()
    return [status for status, _ in results], idle, peak[0]


def _bound(server) -> int:
    workers = server.worker_pids()
    from bench.prodserver import rss_of

    idle_worker = max(rss_of(pid) for pid in workers)
    return rss_of(server.process.pid) + WORKERS * (idle_worker + PER_WORKER_MIB * 1024 * 1024)


def test_eight_parallel_pixel_bombs_are_refused_from_the_header_and_memory_stays_flat(server):
    bomb = png(6245)  # 39 MP
    assert len(bomb) < 200_000
    bound = _bound(server)
    statuses, idle, peak = _parallel(server, bomb)
    assert statuses == [400] * 8
    print(f"pixel bombs: idle {idle / 2**20:.0f} MiB, peak {peak / 2**20:.0f} MiB, bound {bound / 2**20:.0f} MiB")
    assert peak < bound
    assert peak - idle < 100 * 1024 * 1024  # nothing was decoded: the 8 bombs together cost less than one decode


def test_eight_parallel_images_at_the_decode_budget_stay_under_the_bound(server):
    big = png(3990)  # 15.9 MP: accepted, so really decoded and re-encoded
    bound = _bound(server)
    statuses, idle, peak = _parallel(server, big)
    assert statuses == [303] * 8
    print(f"16 MP images: idle {idle / 2**20:.0f} MiB, peak {peak / 2**20:.0f} MiB, bound {bound / 2**20:.0f} MiB")
    assert peak < bound
