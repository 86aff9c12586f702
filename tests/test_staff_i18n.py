"""Staff web app: Bahasa Indonesia first, English available through the language switch (issue 4, item 1)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salingsapa.cases import services as case_services
from tests.casework_helpers import make_report, verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(case_manager):
    report = make_report(contact_name="Sari Dewi", narrative="Kronologi rahasia uji")
    return case_services.case_open(actor=case_manager, report=report, case_manager=case_manager)


def _switch(client, language: str, next_url: str = "/staf/"):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    return response


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_queue_is_indonesian_by_default_and_english_after_switching(case_manager):
    make_report()
    client = verified_client(case_manager)
    html = _page(client, reverse("staff:queue"))
    assert '<html lang="id">' in html
    assert "<h1>Antrean pengaduan</h1>" in html
    assert "Tenggat kontak pertama" in html and "Belum ditriase" in html
    assert "Lewati ke isi utama" in html
    # the switch offers English, posting to Django's set_language view with a CSRF token
    assert 'action="/i18n/setlang/"' in html
    assert 'name="language" value="en"' in html and ">English</button>" in html
    assert "csrfmiddlewaretoken" in html.split('action="/i18n/setlang/"', 1)[1].split("</form>", 1)[0]

    _switch(client, "en", reverse("staff:queue"))
    html = _page(client, reverse("staff:queue"))
    assert '<html lang="en">' in html
    assert "<h1>Report queue</h1>" in html
    assert "First contact deadline" in html and "Not triaged yet" in html
    assert "Skip to main content" in html and ">Log out</button>" in html
    assert "Antrean pengaduan" not in html and "Belum ditriase" not in html and "Tenggat kontak pertama" not in html
    # and the switch now offers the way back
    assert 'name="language" value="id"' in html and ">Bahasa Indonesia</button>" in html


def test_case_list_in_both_languages(case_manager, case):
    client = verified_client(case_manager)
    html = _page(client, reverse("staff:cases"))
    assert "<h1>Semua kasus</h1>" in html and case.number in html
    assert "Manajer kasus" in html and "Cari dan saring" in html and "Nomor telepon / NIK (sama persis)" in html

    _switch(client, "en")
    html = _page(client, reverse("staff:cases"))
    assert "<h1>All cases</h1>" in html and case.number in html
    assert "Case manager" in html and "Search and filter" in html and "Phone number / NIK (exact match)" in html
    assert "Semua kasus" not in html and "Manajer kasus" not in html and "Cari dan saring" not in html


def test_case_page_in_both_languages(case_manager, case):
    client = verified_client(case_manager)
    url = reverse("staff:case", args=[case.pk])
    html = _page(client, url)
    assert f"<h1>Kasus {case.number}</h1>" in html
    assert "Orang dalam kasus" in html and "Rencana intervensi" in html and "Asesmen risiko" in html
    assert "Catat kontak pertama" in html and "Simpan catatan" in html

    _switch(client, "en", url)
    html = _page(client, url)
    assert f"<h1>Case {case.number}</h1>" in html
    assert "People in the case" in html and "Service plan" in html and "Risk assessment" in html
    assert "Record first contact" in html and "Save note" in html
    assert ">edit<span" in html
    for indonesian in ("Orang dalam kasus", "Rencana intervensi", "Asesmen risiko", "Catat kontak pertama",
                       "Simpan catatan", "Belum ada catatan."):
        assert indonesian not in html

    # flash messages follow the language too
    response = client.post(reverse("staff:case_action", args=[case.pk, "catatan"]),
                           {"kind": "home_visit", "occurred_on": "2025-01-02", "body": "Kunjungan uji"}, follow=True)
    html = response.content.decode()
    assert "Note saved." in html and "Catatan disimpan." not in html


def test_partner_referral_list_in_both_languages(partner_psychologist):
    client = verified_client(partner_psychologist)
    url = reverse("network:referrals")
    html = _page(client, url)
    assert "<h1>Rujukan masuk</h1>" in html and "Tidak ada rujukan." in html and "Batas tanggapan" in html

    _switch(client, "en", url)
    html = _page(client, url)
    assert "<h1>Incoming referrals</h1>" in html and "No referrals." in html and "Respond by" in html
    # "Layanan" is the service column here, not the case status "In service" of the project catalogue
    assert '<th scope="col">Service</th>' in html and "In service" not in html
    assert "Rujukan masuk" not in html and "Tidak ada rujukan." not in html and "Batas tanggapan" not in html


def test_switching_back_to_indonesian(case_manager):
    client = verified_client(case_manager)
    _switch(client, "en")
    assert "<h1>Report queue</h1>" in _page(client, reverse("staff:queue"))
    _switch(client, "id")
    html = _page(client, reverse("staff:queue"))
    assert "<h1>Antrean pengaduan</h1>" in html and "Report queue" not in html


def test_every_staff_and_network_page_renders_in_english(supervisor, case_manager, case):
    """Each page of the staff app renders in English without a template error and keeps lang="en"."""
    report = make_report()
    incident = case.incidents.first()
    urls = [
        reverse("staff:dashboard"), reverse("staff:alerts"), reverse("staff:queue"), reverse("staff:intake_new"),
        reverse("staff:report", args=[report.pk]), reverse("staff:cases"), reverse("staff:my_cases"),
        reverse("staff:case", args=[case.pk]), reverse("staff:risk_assessment", args=[case.pk]),
        reverse("staff:person_add", args=[case.pk]), reverse("staff:supervisor"), reverse("staff:recovery_codes"),
        reverse("network:referrals"), reverse("network:case_referrals", args=[case.pk]),
        reverse("network:conferences"), reverse("network:directory"), reverse("network:perpetrator_alerts"),
    ]
    if incident is not None:
        urls.append(reverse("staff:incident_edit", args=[case.pk, incident.pk]))
    client = verified_client(supervisor)
    _switch(client, "en")
    for url in urls:
        html = _page(client, url)
        assert '<html lang="en">' in html, url
        assert ">Log out</button>" in html and ">Keluar</button>" not in html, url
    assert "<h1>Supervisor view</h1>" in _page(client, reverse("staff:supervisor"))
    assert "Report " + report.reference in _page(client, reverse("staff:report", args=[report.pk]))
    assert "<h1>Rumah Kolaborasi partner directory</h1>" in _page(client, reverse("network:directory"))


def test_staff_login_page_and_its_errors_in_english(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/staf/masuk/"})
    page = client.get("/staf/masuk/").content.decode()
    assert "Username" in page and "Password" in page and "Nama pengguna" not in page
    wrong = client.post("/staf/masuk/", {"username": "nobody", "password": "salah-sekali-ini"})
    assert wrong.status_code == 400 and "Wrong username or password." in wrong.content.decode()
