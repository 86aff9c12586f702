"""The public step-by-step report form (no JavaScript needed)."""

from __future__ import annotations

import json
import re

import pytest

from salingsapa.intake.models import Report, ReportIdentifier
from tests.reporting import STEP_DATA, fill_steps, receipt, submit, summary_token


def test_home_has_report_action_emergency_numbers_and_quick_exit(client, db):
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="/lapor/"' in page
    assert "tel:112" in page and "129" in page and "08111-129-129" in page
    assert 'id="quick-exit"' in page and 'href="/keluar/"' in page
    assert "quickexit.js" in page
    assert "<script>" not in page  # CSP: no inline scripts
    assert 'lang="id"' in page
    assert response["Cache-Control"].startswith("no-store")


def test_whole_form_creates_one_report_and_shows_reference_and_codename(client, db):
    fill_steps(client)
    summary = client.get("/lapor/ringkasan/")
    assert summary.status_code == 200
    text = summary.content.decode()
    assert "Tetangga memukul anak kami" in text  # the review page shows what was typed
    assert summary["Cache-Control"].startswith("no-store")
    reference, codename = submit(client)
    assert reference.startswith("LP-") and len(codename.split()) == 7
    report = Report.objects.get()
    assert report.reference == reference and report.channel == "web"
    assert report.violence_forms == ["fisik", "psikis"]
    assert report.kelurahan_id == "36.73.01.1002"
    assert report.incident_date.isoformat() == "2025-10-01"
    assert not report.is_emergency
    assert ReportIdentifier.objects.get(report=report).value == "+6281211112222"


def test_done_page_is_not_cached(client, db):
    fill_steps(client)
    submit(client)
    response = client.get("/lapor/selesai/")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("step", "field", "message"),
    [
        ("pelapor", "reporter_role", "Pilih siapa yang melapor."),
        ("bahaya", "in_danger_now", "Jawab apakah ada orang yang dalam bahaya saat ini."),
        ("kejadian", "narrative", "Ceritakan secara singkat apa yang terjadi."),
        ("kejadian", "violence_forms", "Pilih setidaknya satu bentuk kekerasan."),
        ("korban", "victim_sex", "Pilih jenis kelamin korban."),
        ("korban", "victim_age_group", "Pilih kelompok umur korban."),
        ("lokasi", "kelurahan_code", "Pilih kelurahan tempat kejadian di Kota Serang."),
    ],
)
def test_each_required_field_shows_its_message_and_keeps_the_rest(client, db, step, field, message):
    data = dict(STEP_DATA[step])
    data.pop(field)
    response = client.post(f"/lapor/{step}/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    # everything else typed on the page is still there
    if step == "kejadian" and field == "violence_forms":
        assert "Tetangga memukul anak kami di depan rumah." in page
    if step == "kejadian" and field == "narrative":
        assert 'value="fisik"' in page and re.search(r'value="fisik"[^>]*checked', page)


def test_bad_values_get_messages_beside_fields(client, db):
    response = client.post("/lapor/waktu/", {"incident_date": "2999-01-01"})
    assert response.status_code == 400
    assert "masa depan" in response.content.decode()
    response = client.post("/lapor/pelaku/", {**STEP_DATA["pelaku"], "ident_value_1": "bukan nomor"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nomor telepon" in page and 'value="bukan nomor"' in page
    response = client.post("/lapor/kontak/", {"preferred_channel": "whatsapp", "contact_name": "Sari"})
    assert response.status_code == 400
    assert "Isi nomor telepon" in response.content.decode()
    assert 'value="Sari"' in response.content.decode()
    response = client.post("/lapor/korban/", {"victim_sex": "female", "victim_age_group": "6-12", "victim_is_child": "no"})
    assert response.status_code == 400


def test_kelurahan_select_has_optgroup_per_kecamatan(client, db):
    page = client.get("/lapor/lokasi/").content.decode()
    assert page.count("<optgroup") == 6
    assert 'label="Kecamatan Kasemen"' in page
    assert 'value="36.73.02.1001"' in page


def test_going_back_shows_what_was_typed(client, db):
    fill_steps(client)
    page = client.get("/lapor/kejadian/").content.decode()
    assert "Tetangga memukul anak kami" in page


def test_edit_from_summary_returns_to_summary(client, db):
    fill_steps(client)
    response = client.post("/lapor/kejadian/", {"narrative": "Cerita yang sudah diubah.", "violence_forms": ["fisik"],
                                                 "ubah": "1"})
    assert response.status_code == 303 and response["Location"] == "/lapor/ringkasan/"
    assert "Cerita yang sudah diubah." in client.get("/lapor/ringkasan/").content.decode()


def test_summary_with_missing_steps_lists_them_and_has_no_send_button(client, db):
    client.post("/lapor/pelapor/", {"reporter_role": "victim"})
    page = client.get("/lapor/ringkasan/").content.decode()
    assert "Lengkapi dulu" in page
    assert "Kirim laporan" not in page
    assert "/lapor/kejadian/?ubah=1" in page


def test_double_submit_creates_one_report_with_same_reference(client, db):
    fill_steps(client)
    token = summary_token(client)
    first = client.post("/lapor/ringkasan/", {"token": token})
    second = client.post("/lapor/ringkasan/", {"token": token})
    assert first.status_code == second.status_code == 303
    assert Report.objects.count() == 1
    assert receipt(client)[0] == Report.objects.get().reference


def test_concurrent_double_submit_with_same_session_state_creates_one_report(client, db):
    """Two requests that both still carry the draft (a double click) give one report and one codename."""
    from salingsapa.intake.services import report_create
    from salingsapa.public import draft as drafts

    fill_steps(client)
    session = client.session
    draft = json.loads(__import__("salingsapa.core.crypto", fromlist=["unseal"]).unseal(
        session[drafts.DRAFT_KEY], purpose=f"{drafts.PURPOSE}:{drafts.DRAFT_KEY}"))
    a = report_create(data=drafts.draft_to_report(draft), channel="web", idempotency_key=draft["token"])
    b = report_create(data=drafts.draft_to_report(draft), channel="web", idempotency_key=draft["token"])
    assert a.reference == b.reference and a.codename == b.codename
    assert a.created and not b.created
    assert Report.objects.count() == 1


def test_honeypot_filled_creates_nothing(client, db):
    response = client.post("/lapor/pelapor/", {"reporter_role": "victim", "website": "http://spam"})
    assert response.status_code == 400
    fill_steps(client)
    token = summary_token(client)
    response = client.post("/lapor/ringkasan/", {"token": token, "website": "spam"})
    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_danger_now_shows_112_and_marks_emergency(client, db):
    response = client.post("/lapor/bahaya/", {"in_danger_now": "yes"})
    assert response["Location"] == "/lapor/darurat/"
    page = client.get("/lapor/darurat/").content.decode()
    assert "tel:112" in page
    fill_steps(client, {"bahaya": {"in_danger_now": "yes"}})
    assert "tel:112" in client.get("/lapor/kejadian/").content.decode()
    submit(client)
    assert Report.objects.get().is_emergency


def test_draft_is_not_stored_in_clear_in_the_session(client, db):
    from django.contrib.sessions.models import Session

    fill_steps(client)
    raw = "".join(s.session_data for s in Session.objects.all())
    decoded = json.dumps([s.get_decoded() for s in Session.objects.all()])
    assert "Tetangga memukul" not in raw and "Tetangga memukul" not in decoded


def test_no_personal_data_in_urls(client, db):
    fill_steps(client)
    token = summary_token(client)
    response = client.post("/lapor/ringkasan/", {"token": token})
    assert response["Location"] == "/lapor/selesai/"
    reference, codename = receipt(client)
    words = codename.split()
    # Codename words are everyday words (even "selesai" is one), so a single word inside a path
    # proves nothing; what must never be there is the reference or any two codename words joined.
    for url in ("/lapor/selesai/", response["Location"]):
        assert reference not in url
        for joiner in (" ", "-", "+", "%20", "_", ""):
            for first, second in zip(words, words[1:], strict=False):
                assert f"{first}{joiner}{second}" not in url


def test_leave_clears_site_data_and_session(client, db):
    fill_steps(client)
    response = client.get("/keluar/")
    assert response.status_code == 302
    assert response["Location"].startswith("https://")
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    # the draft is gone
    assert client.get("/lapor/ringkasan/")["Location"] == "/lapor/"
    beacon = client.post("/keluar/?beacon=1")
    assert beacon.status_code == 204 and "cookies" in beacon["Clear-Site-Data"]


def test_english_switch(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert 'lang="en"' in page
    assert "Bahasa Indonesia" in page  # the switch back
    assert "Report now" in page and "Quick exit" in page
    step = client.post("/lapor/kejadian/", {"narrative": "x"}).content.decode()
    assert "Choose at least one form of violence." in step
    assert "Physical violence" in step
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    assert "Lapor sekarang" in client.get("/").content.decode()


def test_rate_limit_on_web_submissions(client, db, settings):
    settings.REPORT_RATE_LIMIT = 1
    fill_steps(client)
    submit(client)
    fill_steps(client)
    token = summary_token(client)
    response = client.post("/lapor/ringkasan/", {"token": token})
    assert response.status_code == 429
    assert Report.objects.count() == 1


def test_expired_form_gets_a_plain_message_not_a_technical_403(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/lapor/pelapor/", {"reporter_role": "victim"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "kedaluwarsa" in page and 'id="quick-exit"' in page
    assert "no-store" in response["Cache-Control"]
    admin = strict.post("/admin/login/", {"username": "x"})
    assert admin.status_code == 403 and "kedaluwarsa" not in admin.content.decode()


def test_public_pages_have_no_inline_scripts_or_styles_for_the_strict_csp(client, db):
    fill_steps(client)
    for url in ["/", "/lapor/", "/lapor/darurat/", "/lapor/pelapor/", "/lapor/lokasi/", "/lapor/bukti/",
                "/lapor/ringkasan/", "/lapor/cek/"]:
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert " style=" not in page and "<style" not in page, url
        assert "script-src 'self'" in response["Content-Security-Policy"]


def test_receipt_shows_the_codename_once_then_only_the_reference(client, db):
    fill_steps(client)
    reference, codename = submit(client)
    again = client.get("/lapor/selesai/").content.decode()
    assert reference in again
    assert codename not in again and 'id="codename"' not in again
    assert "Cara memantau laporan" in again and "/lapor/cek/" in again
    # nothing of the codename is left in the session
    from salingsapa.core import crypto
    from salingsapa.public import draft as drafts

    sealed = client.session[drafts.RECEIPT_KEY]
    assert codename not in crypto.unseal(sealed, purpose=f"{drafts.PURPOSE}:{drafts.RECEIPT_KEY}")


def test_receipt_is_gone_after_leaving_and_after_starting_a_new_report(client, db):
    fill_steps(client)
    reference, _codename = submit(client)
    client.post("/lapor/pelapor/", {"reporter_role": "victim"})  # a new report begins
    response = client.get("/lapor/selesai/")
    assert response.status_code == 303 and response["Location"] == "/lapor/"
    fill_steps(client)
    reference, _codename = submit(client)
    client.get("/keluar/")
    response = client.get("/lapor/selesai/")
    assert response.status_code == 303 and reference not in response.content.decode()


def test_followup_leave_button_cannot_be_read_as_withdrawing(client, db):
    fill_steps(client)
    reference, codename = submit(client)
    client.post("/lapor/cek/", {"reference": reference, "codename": codename})
    page = client.get("/lapor/cek/").content.decode()
    assert "Keluar dari halaman laporan" in page and "Tutup laporan ini" not in page
