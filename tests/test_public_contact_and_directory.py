"""Issue 10 item 13 (public parts): email as the safe channel comes with an email field, validated
and sealed; the services page names each kelurahan with its kecamatan. Item 11: /layanan/ in English."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from salingsapa.accounts.models import Organisation
from salingsapa.core.models import Region
from salingsapa.intake.models import Report
from salingsapa.intake.schema import report_errors
from tests.reporting import STEP_DATA, fill_steps, submit

pytestmark = pytest.mark.django_db


def test_choosing_email_without_an_address_is_refused_with_a_message(client):
    response = client.post("/lapor/kontak/", {"preferred_channel": "email", "contact_email": ""})
    assert response.status_code == 400
    assert "Isi alamat email" in response.content.decode()
    response = client.post("/lapor/kontak/", {"preferred_channel": "email", "contact_email": "bukan email"})
    assert response.status_code == 400
    assert "nama@contoh.id" in response.content.decode()


def test_email_is_kept_sealed_and_shown_on_the_summary(client):
    fill_steps(client, {"kontak": {**STEP_DATA["kontak"], "preferred_channel": "email",
                                   "contact_email": "sari.aman@contoh.id", "consent_contact": "on"}})
    assert "sari.aman@contoh.id" in client.get("/lapor/ringkasan/").content.decode()
    submit(client)
    report = Report.objects.get()
    assert report.contact_email == "sari.aman@contoh.id" and report.preferred_channel == "email"
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_email FROM intake_report")
        stored = cursor.fetchone()[0]
    assert "sari.aman" not in str(stored) and stored


def test_the_service_holds_the_same_rule_for_every_channel(db):
    base = {"reporter_role": "victim", "in_danger_now": False, "narrative": "x", "violence_forms": ["psikis"],
            "victim": {"sex": "female", "age_group": "25-44"}, "kelurahan_code": "36.73.01.1001"}
    errors = report_errors({**base, "contact": {"preferred_channel": "email"}})
    assert "contact.email" in {e.field for e in errors}
    errors = report_errors({**base, "contact": {"preferred_channel": "email", "email": "a@b"}})
    assert "contact.email" in {e.field for e in errors}
    assert report_errors({**base, "contact": {"preferred_channel": "email", "email": "a@contoh.id"}}) == []


def test_api_accepts_an_email_contact(client):
    payload = {"reporter_role": "victim", "in_danger_now": False, "narrative": "Saya diancam.", "violence_forms": ["psikis"],
               "victim": {"sex": "female", "age_group": "25-44"}, "kelurahan_code": "36.73.01.1001",
               "contact": {"preferred_channel": "email"}}
    response = client.post("/api/v1/reports", payload, content_type="application/json")
    assert response.status_code == 400 and "contact.email" in response.json()["errors"]
    payload["contact"]["email"] = "aman@contoh.id"
    response = client.post("/api/v1/reports", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Report.objects.get().contact_email == "aman@contoh.id"


def two_sukawana() -> list[Region]:
    return list(Region.objects.filter(name__iexact="Sukawana", level=4).select_related("parent"))


def test_services_page_names_each_kelurahan_with_its_kecamatan(client):
    org = Organisation.objects.create(name="PATBM Sukawana", kind="community", services=["pengaduan"], is_public=True)
    sukawana = two_sukawana()
    assert len(sukawana) == 2  # the reason for this test
    org.service_area.add(sukawana[0])
    html = client.get("/layanan/").content.decode()
    for region in sukawana:
        assert re.search(rf'<option value="{re.escape(region.code)}"\s*>Sukawana \(Kec\. {region.parent.name}\)</option>',
                         html), region.code
    assert f"Kelurahan Sukawana, Kecamatan {sukawana[0].parent.name}" in html


def test_services_page_in_english(client):
    Organisation.objects.create(name="HIMPSI Banten", kind="psychology", services=["psikologis"], is_public=True,
                                opening_hours="Senin-Jumat 08.00-16.00")
    client.cookies.load({"django_language": "en"})
    html = client.get("/layanan/").content.decode()
    for indonesian in ["Layanan yang dapat Anda datangi", "Semua layanan", "Semua wilayah", "Jam layanan",
                       "Wilayah layanan", "Seluruh Kota Serang", ">Cari<"]:
        assert indonesian not in html, indonesian
    assert "Services you can go to" in html and "Whole of Kota Serang" in html
    assert '<span lang="id">Senin-Jumat 08.00-16.00</span>' in html
