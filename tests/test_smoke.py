"""Health check and security headers."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import DatabaseError


def test_healthz_answers_ok_when_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_healthz_503_when_database_fails(client, db, monkeypatch):
    from salingsapa.core import views

    class Broken:
        def cursor(self):
            raise DatabaseError("down")

    monkeypatch.setattr(views, "connection", Broken())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] != "ok"


def test_security_headers_on_pages(client, db):
    response = client.get("/healthz")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "geolocation=()" in response["Permissions-Policy"]


def test_passwords_hashed_with_argon2_outside_tests():
    from salingsapa import settings

    assert "Argon2PasswordHasher" in settings.PASSWORD_HASHERS[-2]


def test_sqlite_runs_in_wal_mode(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0].lower() == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


@pytest.mark.django_db(transaction=True)
def test_worker_burst_runs_every_periodic_job_once(capsys):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    call_command("worker", "--burst")
    assert "job(s) run" in capsys.readouterr().out
    ran = set(DBTaskResult.objects.filter(status="SUCCESSFUL").values_list("task_path", flat=True))
    assert ran == {path for path, _ in settings.PERIODIC_JOBS.values()}
    call_command("worker", "--burst")  # none is due again yet
    assert DBTaskResult.objects.count() == len(settings.PERIODIC_JOBS)
