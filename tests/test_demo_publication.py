"""`make demo` publishes the seed article's statistics (Jan–Okt 2025), four eyes (issue 10 item 8)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from salingsapa.stats.models import PublishedSnapshot
from salingsapa.stats.suppression import is_small

pytestmark = pytest.mark.django_db


def test_seed_demo_publishes_the_article_snapshot(client):
    out = StringIO()
    call_command("seed_demo", stdout=out, verbosity=0)
    assert "Statistik publik Jan–Okt 2025 diterbitkan" in out.getvalue()
    snap = PublishedSnapshot.objects.get()
    assert snap.is_public and snap.prepared_by.username == "manajer1" and snap.approved_by.username == "supervisor"
    page = client.get("/statistik/")
    assert page.status_code == 200 and "Jan–Okt 2025" in page.content.decode()
    data = client.get("/api/v1/stats/public").json()
    assert data["period"]["label"] == "Jan–Okt 2025" and data["headline"]["cases"] == 64
    assert data["headline"]["cases_previous"] == 51  # Jan–Okt 2024 of the 60 cases in 2024
    for t in data["tables"]:
        values = t.get("values", []) + [c for row in t.get("cells", []) for c in row]
        values += t.get("row_totals", []) + t.get("column_totals", []) + [t["total"]]
        assert not any(isinstance(v, int) and is_small(v) for v in values), t["key"]
    # running it again publishes nothing new
    call_command("seed_demo", stdout=StringIO(), verbosity=0)
    assert PublishedSnapshot.objects.count() == 1
