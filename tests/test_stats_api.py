"""The django-ninja statistics router (mounted by the API app) behaves like the plain JSON view."""

from __future__ import annotations

import datetime as dt

import pytest
from ninja import NinjaAPI
from ninja.security import HttpBearer
from ninja.testing import TestClient

from salingsapa.stats import services
from salingsapa.stats.api import router
from tests.stats_fixtures import make_case, wib


class _FakeToken(HttpBearer):
    users: dict = {}

    def authenticate(self, request, token):
        return self.users.get(token)


_auth = _FakeToken()
_api = NinjaAPI(urls_namespace="stats-test-api", auth=_auth)
_api.add_router("/stats", router)


@pytest.fixture
def client():
    return TestClient(_api)


def test_public_matches_the_plain_view(client, uptd, supervisor):
    from django.test import Client

    for day in range(1, 9):
        make_case(uptd, wib(2025, 2, day))
    assert client.get("/stats/public").status_code == 404
    snap = services.snapshot_prepare(user=supervisor, start=dt.date(2025, 1, 1), end=dt.date(2025, 10, 31))
    services.snapshot_approve(user=supervisor, snapshot=snap)
    r = client.get("/stats/public")
    assert r.status_code == 200
    assert r.json() == Client().get("/api/v1/stats/public").json()


def test_summary_needs_a_lead_agency_token(client, uptd, supervisor, partner_psychologist):
    make_case(uptd, wib(2025, 2, 1))
    params = "?start=2025-01-01&end=2025-10-31"
    assert client.get("/stats/summary" + params).status_code == 401
    _FakeToken.users = {"mitra": partner_psychologist, "uptd": supervisor}
    assert client.get("/stats/summary" + params, headers={"Authorization": "Bearer mitra"}).status_code == 401
    r = client.get("/stats/summary" + params, headers={"Authorization": "Bearer uptd"})
    assert r.status_code == 200 and r.json()["cases"] == 1
    forms = next(b for b in r.json()["breakdowns"] if b["key"] == "violence_form")
    assert {row["key"]: row["value"] for row in forms["rows"]}["seksual"] == 1
    bad = client.get("/stats/summary?start=2025-05-01&end=2025-01-01", headers={"Authorization": "Bearer uptd"})
    assert bad.status_code == 400 and "Tanggal akhir" in bad.json()["detail"]


def test_router_is_in_the_openapi_schema():
    paths = _api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    assert "/api/v1/stats/public" in paths and "/api/v1/stats/summary" in paths
    assert any(p.endswith("/stats/summary") for p in paths)
