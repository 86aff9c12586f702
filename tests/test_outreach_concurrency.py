"""Double booking is impossible: many people book the LAST free slot of a visit at the same moment, over
HTTP against a real server, and exactly one gets a 201 (the others a 409 "full"). The database decides
(``booking_one_active_per_slot``, a partial unique index), on SQLite and on PostgreSQL (``DATABASE_URL``).

Two servers: pytest-django's ``live_server`` (threads in one process), and the production server
(``salingsapa serve``: gunicorn, several worker processes, each with its own database connection).
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
from urllib.parse import urlsplit

import pytest

from bench.prodserver import HOST, ProductionServer, redis_available
from salingsapa.outreach import services
from salingsapa.outreach.models import Booking
from tests.outreach_helpers import make_visit
from tests.parallel import all_at_once
from tests.proxyhop import ProxyHop

PARALLEL = 12


def _post(base: str, path: str, body: dict, *, host: str | None = None, source: str = "127.0.0.1") -> tuple[int, dict]:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120, source_address=(source, 0))
    try:
        conn.request("POST", path, body=json.dumps(body).encode(),
                     headers={"Content-Type": "application/json", "Host": host or parts.netloc})
        response = conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data.startswith(b"{") else {})
    finally:
        conn.close()


def _storm(base: str, visit_id: int, *, host: str | None = None) -> list[tuple[int, dict]]:
    """PARALLEL anonymous bookings released at once, each from its own loopback address (own rate-limit budget)."""
    def one(i: int) -> tuple[int, dict]:
        return _post(base, f"/api/v1/outreach/visits/{visit_id}/bookings", {"anonymous": True}, host=host,
                     source=f"127.0.0.{10 + i}")

    return all_at_once(one, PARALLEL, start_timeout=60, finish_timeout=300)


def _exactly_one_won(results: list[tuple[int, dict]]) -> dict:
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (PARALLEL - 1), statuses
    [winner] = [body for status, body in results if status == 201]
    assert all("terisi" in body["detail"] for status, body in results if status == 409)
    return winner


@pytest.mark.django_db(transaction=True)
def test_last_slot_on_the_live_server_goes_to_exactly_one(live_server, case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])  # two slots
    services.booking_create(visit_id=visit.pk, data={"anonymous": True})  # one left
    last = visit.slots.exclude(bookings__status="active").get()
    winner = _exactly_one_won(_storm(live_server.url, visit.pk))
    assert winner["slot"]["id"] == last.pk
    assert Booking.objects.filter(slot=last, status="active").count() == 1
    assert Booking.objects.filter(status="active").count() == 2


SEED = """
import datetime as dt
from django.utils import timezone
from salingsapa.accounts.models import Organisation, User
from salingsapa.core.models import Region
from salingsapa.outreach import services
org = Organisation.objects.create(name="UPTD PPA", kind="uptd_ppa")
planner = User.objects.create_user(username="manajer", password="x" * 20, role="case_manager", organisation=org)
pro = User.objects.create_user(username="psikolog", password="x" * 20, role="partner")
visit = services.visit_create(by=planner, date=timezone.localdate() + dt.timedelta(days=1),
    start_time=dt.time(9), end_time=dt.time(9, 30), kelurahan=Region.objects.filter(level=4).first(),
    venue_kind="school", venue_name="SDN", team=[(pro, "psychologist")])
services.slots_generate(by=planner, visit=visit, minutes=30)
services.visit_publish(by=planner, visit=visit)
print(visit.pk)
"""


@pytest.mark.slow
@pytest.mark.skipif(not redis_available() and not os.environ.get("CI"),
                    reason="Redis is not answering on 127.0.0.1:6379 (it runs in CI)")
def test_last_slot_on_the_production_server_goes_to_exactly_one():
    with ProductionServer(workers=3) as server:
        proxy = ProxyHop(server.port)  # TLS-terminating proxy stand-in: X-Forwarded-For/-Proto, as nginx
        try:
            out = subprocess.run([server.python, "-m", "salingsapa", "shell", "-c", SEED], env=server.env,
                                 cwd=server.data_dir, capture_output=True, text=True, timeout=300, check=True)
            visit_id = int(out.stdout.strip().splitlines()[-1])  # one slot only: it is the last one
            base = f"http://127.0.0.1:{proxy.port}"
            winner = _exactly_one_won(_storm(base, visit_id, host=HOST))
            assert winner["reference"].startswith("KK-")
            status, _ = _post(base, f"/api/v1/outreach/visits/{visit_id}/bookings", {"anonymous": True}, host=HOST,
                              source="127.0.0.99")
            assert status == 409
        finally:
            proxy.close()
