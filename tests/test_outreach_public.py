"""Public mobile-counselling pages: the schedule (light, no JavaScript of its own, printable), booking,
requests and the person's own booking by reference + codename."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from bench.page_weight import BUDGET_BYTES, weigh
from salingsapa.outreach.models import Booking
from tests.outreach_helpers import make_visit

pytestmark = pytest.mark.django_db



def _key(response) -> str:
    return re.search(r'name="kunci" value="([^"]+)"', response.content.decode()).group(1)


def test_schedule_groups_by_kecamatan_is_light_and_has_the_quick_exit(client, case_manager, partner_psychologist):
    for n in range(12):
        make_visit(case_manager, [partner_psychologist], days=1 + n % 6, venue_name=f"Posyandu Mawar {n}",
                   venue_kind="posyandu")
    make_visit(case_manager, [partner_psychologist], publish=False, venue_name="Rahasia draf")
    response = client.get("/konseling-keliling/")
    assert response.status_code == 200
    html = response.content.decode()
    # as the report form is measured (bench/page_weight.py): HTML + its stylesheets and scripts, <= 60 KB
    for path in ("/konseling-keliling/", "/konseling-keliling/minta/", "/konseling-keliling/janji/"):
        weight = weigh(client, path, path)
        assert weight.served <= BUDGET_BYTES and weight.external == [], (path, weight.served, weight.external)
        assert any("outreach.css (200)" in r or "public.css (200)" in r for r in weight.resources)
    assert "Posyandu Mawar 11" in html and "Rahasia draf" not in html
    assert "Kecamatan " in html and 'id="quick-exit"' in html
    assert "no-store" in response["Cache-Control"]
    # the only scripts are the quick exit and history helpers every public page carries
    assert set(re.findall(r'<script src="([^"]+)"', html)) <= {"/static/public/quickexit.js",
                                                               "/static/public/history.js"}
    assert "<script>" not in html and "onclick" not in html
    assert "outreach.css" in html


def test_poster_and_print_css(client, case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    response = client.get(f"/konseling-keliling/{visit.pk}/poster/")
    assert response.status_code == 200 and visit.venue_name in response.content.decode()
    css = Path(finders.find("public/outreach.css")).read_text(encoding="utf-8")
    assert "@media print" in css and ".top" in css.split("@media print")[1]


def test_book_anonymously_from_the_page_then_cancel_with_the_codename(client, case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    form = client.get(f"/konseling-keliling/{visit.pk}/pesan/")
    assert form.status_code == 200
    key = _key(form)
    response = client.post(f"/konseling-keliling/{visit.pk}/pesan/", {"identity": "anonymous", "kunci": key})
    assert response.status_code == 303
    done = client.get(response["Location"]).content.decode()
    reference = re.search(r'id="reference">([^<]+)<', done).group(1)
    codename = re.search(r'id="codename">([^<]+)<', done).group(1)
    assert Booking.objects.get(reference=reference).anonymous
    # a double tap of the same form books once
    again = client.post(f"/konseling-keliling/{visit.pk}/pesan/", {"identity": "anonymous", "kunci": key})
    assert again.status_code == 303 and Booking.objects.count() == 1
    # the replay answers with the same receipt; the codename is then shown once
    assert codename in client.get("/konseling-keliling/janji/selesai/").content.decode()
    assert client.get("/konseling-keliling/janji/selesai/").status_code == 303
    wrong = client.post("/konseling-keliling/janji/", {"reference": reference, "codename": "bukan kode ini"})
    assert wrong.status_code == 400 and "salah" in wrong.content.decode()
    ok = client.post("/konseling-keliling/janji/", {"reference": reference, "codename": codename})
    assert ok.status_code == 303
    page = client.get("/konseling-keliling/janji/").content.decode()
    assert reference in page and "Batalkan janji" in page
    client.post("/konseling-keliling/janji/batal/")
    assert Booking.objects.get(reference=reference).status == "cancelled"


def test_contact_booking_errors_keep_what_was_typed(client, case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    key = _key(client.get(f"/konseling-keliling/{visit.pk}/pesan/"))
    response = client.post(f"/konseling-keliling/{visit.pk}/pesan/", {
        "identity": "contact", "name": "Mawar", "phone": "0812-ABC", "preferred_channel": "whatsapp",
        "safe_time": "malam", "kunci": key})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nomor telepon" in html and 'value="Mawar"' in html and 'value="0812-ABC"' in html
    assert not Booking.objects.exists()
    ok = client.post(f"/konseling-keliling/{visit.pk}/pesan/", {
        "identity": "contact", "name": "Mawar", "phone": "0812-3456-7890", "preferred_channel": "whatsapp",
        "safe_time": "malam", "kunci": key})
    assert ok.status_code == 303
    assert Booking.objects.get().contact_name == "Mawar"


def test_full_visit_page_is_409(client, case_manager, partner_psychologist):
    visit = make_visit(case_manager, [partner_psychologist])
    for _ in range(2):
        client.post(f"/konseling-keliling/{visit.pk}/pesan/", {"identity": "anonymous", "kunci": ""})
    full = client.post(f"/konseling-keliling/{visit.pk}/pesan/", {"identity": "anonymous"})
    assert full.status_code == 409 and "sudah terisi" in full.content.decode()


def test_ask_for_a_visit_and_for_a_call_back(client):
    form = client.get("/konseling-keliling/minta/")
    assert form.status_code == 200
    missing = client.post("/konseling-keliling/minta/", {"kind": "visit_request", "identity": "anonymous",
                                                         "kunci": _key(form)})
    assert missing.status_code == 400 and "nama sekolah" in missing.content.decode()
    ok = client.post("/konseling-keliling/minta/", {"kind": "visit_request", "identity": "anonymous",
                                                    "venue_kind": "school", "venue_name": "SMPN 5 Serang",
                                                    "kunci": _key(form)})
    assert ok.status_code == 303
    callback = client.post("/konseling-keliling/minta/", {"kind": "callback", "identity": "contact",
                                                          "phone": "081234567890", "preferred_channel": "phone",
                                                          "kunci": "lain"})
    assert callback.status_code == 303
    assert sorted(Booking.objects.values_list("kind", flat=True)) == ["callback", "visit_request"]
