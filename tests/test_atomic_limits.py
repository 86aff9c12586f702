"""Issue 9 item 5: limits that hold under parallel attempts (atomic counters, SQLite and PostgreSQL).

Thirty attempts start at once, each on its own thread and database connection. The check that the
limit guards (a password, a codename) is slowed down, so that without an atomic reservation every
attempt would read "not yet over the limit" before any of them wrote its failure.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test import Client

from salingsapa.core.models import AuditEvent
from salingsapa.intake import ratelimit
from salingsapa.staff import auth as staff_auth
from tests.parallel import all_at_once
from tests.personas import make_user

PARALLEL = 30


def _fire(request) -> list[int]:
    def attempt(i: int) -> int:
        try:
            return request(Client(), i)
        finally:
            connection.close()  # the thread's own database connection

    return all_at_once(attempt, PARALLEL, start_timeout=30, finish_timeout=120)


def _slow_counting(monkeypatch, module, name: str) -> list[int]:
    original = getattr(module, name)
    calls: list[int] = []
    lock = threading.Lock()

    def wrapper(*args, **kwargs):
        with lock:
            calls.append(1)
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_wrong_passwords_check_at_most_five(monkeypatch):
    from salingsapa.accounts.models import Organisation

    org = Organisation.objects.create(name="UPTD PPA Uji Paralel", kind=Organisation.Kind.UPTD_PPA)
    user = make_user("paralel", "case_manager", org)
    checked = _slow_counting(monkeypatch, staff_auth, "authenticate")

    statuses = _fire(lambda client, i: client.post(
        "/staf/masuk/", {"username": user.username, "password": f"salah-{i}"}).status_code)

    assert statuses.count(400) == PARALLEL
    assert len(checked) <= staff_auth.MAX_FAILURES
    assert AuditEvent.objects.filter(action="login_failed", detail__stage="password").count() == len(checked)
    assert AuditEvent.objects.filter(action="login_failed", detail__stage="throttled").count() == PARALLEL - len(checked)


@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_codename_guesses_check_at_most_the_limit(monkeypatch, settings):
    from salingsapa.intake import services as intake_services

    settings.CODENAME_RATE_LIMIT = 5
    # the check /lapor/cek/ and WhatsApp share (intake.services.report_codename_login)
    checked = _slow_counting(monkeypatch, intake_services, "report_for_codename")

    statuses = _fire(lambda client, i: client.post(
        "/lapor/cek/", {"reference": "LP-ZZZZ-ZZZZ", "codename": f"kode salah nomor {i}"}).status_code)

    assert len(checked) <= settings.CODENAME_RATE_LIMIT
    assert statuses.count(429) == PARALLEL - len(checked)


@pytest.mark.django_db(transaction=True)
def test_counter_gives_each_parallel_hit_its_own_number():
    counts: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(PARALLEL)

    def one() -> None:
        try:
            barrier.wait(timeout=30)
            over = ratelimit.hit("203.0.113.7", purpose="uji", limit=7, window=600)
            with lock:
                counts.append(over)
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert counts.count(False) == 7 and counts.count(True) == PARALLEL - 7


def test_a_right_codename_gives_its_attempt_back(db):
    for _ in range(3):
        assert not ratelimit.hit("x", purpose="uji", limit=3, window=600)
    ratelimit.release("x", purpose="uji", window=600)
    assert not ratelimit.blocked("x", purpose="uji", limit=3, window=600)
    assert not ratelimit.hit("x", purpose="uji", limit=3, window=600)
    assert ratelimit.hit("x", purpose="uji", limit=3, window=600)
