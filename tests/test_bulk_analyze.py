"""Bulk loads refresh the planner statistics (issue 14 item 1: the seeder never ran ANALYZE)."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def _stamp() -> object:
    """When cases_case was last analysed (PostgreSQL), or whether SQLite holds statistics for it."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT pg_stat_clear_snapshot()")
            cur.execute("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'cases_case'")
            row = cur.fetchone()
            return row[0] if row else None
        cur.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cur.fetchone()[0]:
            return 0
        cur.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'cases_case'")
        return cur.fetchone()[0]


def test_seed_demo_runs_analyze():
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cur.fetchone()[0]:
                cur.execute("DELETE FROM sqlite_stat1")
    before = _stamp()
    time.sleep(0.01)
    out = StringIO()
    call_command("seed_demo", "--cases", "30", stdout=out, verbosity=0)
    assert "ANALYZE" in out.getvalue()
    after = _stamp()
    assert after and after != before
