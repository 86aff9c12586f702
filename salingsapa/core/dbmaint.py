"""Database upkeep after bulk loads.

``analyze()`` refreshes the query planner's statistics. Run it after every bulk load (seed-demo,
imports, restores): without it PostgreSQL plans the statistics queries on freshly loaded tables as
nested loops over "empty" tables — the dashboard summary on 100,000 just-seeded cases took minutes
instead of under a second (docs/performance.md, "Statistics at scale").
"""

from __future__ import annotations

import time

from django.db import connections


def analyze(using: str = "default") -> float:
    """``ANALYZE`` the whole database (PostgreSQL and SQLite); returns the seconds it took."""
    started = time.perf_counter()
    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started
