"""Exactly once under concurrency (issue 13 item 3): a phone that syncs the same entries from two tabs,
or retries while the first request is still running. Eight requests with the same entries start at
once, each on its own thread and database connection; the write is slowed down so that every request
has passed the "already stored?" check before any of them writes. The unique constraints decide:
one session, one report, and every answer names the same session. SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import json
import threading
import time

import pytest
from django.db import connection

from salingsapa.fieldwork import services
from salingsapa.fieldwork.models import FieldSession
from salingsapa.intake.models import Report
from tests.casework_helpers import verified_client
from tests.fieldwork_helpers import consultation_fields, disclosure_fields, entry, make_visit

PARALLEL = 8


def _held(check):
    arrived = threading.Barrier(PARALLEL)

    def wrapper(*args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            arrived.wait(timeout=20)  # every request has found nothing stored yet
        time.sleep(0.1)
        return check(*args, **kwargs)

    return wrapper


@pytest.mark.django_db(transaction=True)
def test_parallel_syncs_of_the_same_entries_store_them_once(monkeypatch, counsellor):
    visit = make_visit()
    entries = [entry(visit, disclosure_fields()), entry(visit, consultation_fields())]
    body = json.dumps({"entries": entries})
    clients = [verified_client(counsellor) for _ in range(PARALLEL)]
    # Both checks run before the write's transaction: each request waits there until all have arrived.
    for name in ("report_input", "_check_counts"):
        monkeypatch.setattr(services, name, _held(getattr(services, name)))
    start = threading.Barrier(PARALLEL)
    answers: list[dict] = []
    lock = threading.Lock()

    def sync(client) -> None:
        try:
            start.wait(timeout=30)
            response = client.post("/staf/lapangan/sinkron/", data=body, content_type="application/json")
            with lock:
                answers.append({"status": response.status_code, **response.json()})
        finally:
            connection.close()

    threads = [threading.Thread(target=sync, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert [a["status"] for a in answers] == [200] * PARALLEL
    disclosure = [a["results"][0] for a in answers]
    consultation = [a["results"][1] for a in answers]
    for results in (disclosure, consultation):
        assert {r["status"] for r in results} <= {"created", "duplicate"}, results
        assert [r["status"] for r in results].count("created") == 1
        assert len({r["session"] for r in results}) == 1
    assert len({r["report"] for r in disclosure}) == 1
    assert FieldSession.objects.count() == 2
    assert Report.objects.count() == 1
