"""The statistics endpoints of API v1: public aggregates without auth, detailed ones with a partner token."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client

from salingsapa.accounts.models import ApiToken
from salingsapa.accounts.tokens import api_token_create
from salingsapa.stats import services
from tests.stats_fixtures import make_case, wib

pytestmark = pytest.mark.django_db


def test_public_endpoint_serves_only_the_approved_snapshot(client, uptd, case_manager, supervisor):
    for day in range(1, 9):
        make_case(uptd, wib(2025, 2, day))
    assert client.get("/api/v1/stats/public").status_code == 404
    snap = services.snapshot_prepare(user=case_manager, start=dt.date(2025, 1, 1), end=dt.date(2025, 10, 31))
    assert client.get("/api/v1/stats/public").status_code == 404  # prepared, not approved
    services.snapshot_approve(user=supervisor, snapshot=snap)
    response = client.get("/api/v1/stats/public")
    assert response.status_code == 200
    from salingsapa.stats.selectors import public_payload

    snap.refresh_from_db()
    assert response.json() == public_payload(snap)


def test_summary_needs_a_lead_agency_token(uptd, supervisor, partner_psychologist):
    make_case(uptd, wib(2025, 2, 1))
    client = Client()
    url = "/api/v1/stats/summary?start=2025-01-01&end=2025-10-31"
    assert client.get(url).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Bearer ssk_not-a-token").status_code == 401
    partner_token = api_token_create(actor="system:test", user=partner_psychologist, name="mitra")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {partner_token}").status_code == 401
    token = api_token_create(actor="system:test", user=supervisor, name="SIMFONI bridge")
    assert token not in str(list(ApiToken.objects.values_list("token_hash", flat=True)))
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and response.json()["cases"] == 1
    forms = next(b for b in response.json()["breakdowns"] if b["key"] == "violence_form")
    assert {row["key"]: row["value"] for row in forms["rows"]}["seksual"] == 1
    bad = client.get("/api/v1/stats/summary?start=2025-05-01&end=2025-01-01", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bad.status_code == 400 and "Tanggal akhir" in bad.json()["detail"]
    ApiToken.objects.filter(user=supervisor).update(revoked_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_token_command_prints_a_working_token_once(supervisor, capsys):
    call_command("api_token", "create", supervisor.username, name="uji")
    token = capsys.readouterr().out.strip()
    assert token.startswith("ssk_")
    assert Client().get("/api/v1/stats/summary?start=2025-01-01&end=2025-01-31",
                        HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_stats_endpoints_are_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/stats/public" in schema["paths"] and "/api/v1/stats/summary" in schema["paths"]
    assert "/api/v1/reports" in schema["paths"]
