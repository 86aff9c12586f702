"""Headless Chromium: a case referred with consent is accepted, worked and completed by the partner
psychologist; a case conference agrees an action that becomes a task in the case."""

from __future__ import annotations

import datetime as dt
import os

from django.utils import timezone

from salingsapa.cases import services as case_services
from salingsapa.cases.models import Task
from tests.casework_helpers import make_report, totp_device
from tests.e2e.conftest import BROWSER
from tests.e2e.test_case_flow_browser import sign_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = BROWSER


def _case(case_manager, **fields):
    report = make_report(narrative="Korban dikenalkan lewat media sosial, lalu dilecehkan.", violence_forms=["seksual"],
                         contact_name="Melati Anggraini", **fields)
    return case_services.case_open(actor=case_manager, report=report, case_manager=case_manager)


def test_referral_with_consent_worked_by_the_psychologist(live_server, browser, case_manager, psychology_org,
                                                          partner_psychologist):
    base = live_server.url
    case = _case(case_manager)
    totp_device(case_manager)
    totp_device(partner_psychologist)

    manager = sign_in(browser, base, case_manager)
    manager.goto(f"{base}/staf/jejaring/kasus/{case.pk}/rujukan/")
    manager.get_by_text("Catat persetujuan baru").click()
    consent = manager.locator("form[action$='/rujukan/persetujuan/']")
    consent.get_by_label("Persetujuan diberikan oleh").select_option("victim")
    consent.get_by_label("Atau jenis mitra").select_option("psychology")
    consent.get_by_label("Pendampingan Psikologis/Konseling").check()
    consent.get_by_label("Berkas bukti (foto, rekaman, dokumen) boleh dibuka mitra?").select_option("no")
    consent.get_by_role("button", name="Simpan persetujuan").click()
    manager.get_by_text("Persetujuan dicatat.").wait_for()
    refer = manager.locator("form#rujuk")
    refer.get_by_label("Mitra tujuan").select_option(label=psychology_org.name)
    refer.get_by_label("Layanan").select_option("psikologis")
    refer.get_by_role("button", name="Kirim rujukan").click()
    manager.get_by_text("Rujukan dikirim").wait_for()

    partner = sign_in(browser, base, partner_psychologist)
    partner.goto(f"{base}/staf/jejaring/rujukan/")
    partner.get_by_role("link", name=case.number).click()
    partner.wait_for_url("**/staf/jejaring/rujukan/*/")  # is_visible() does not wait for the navigation
    partner.get_by_text("Melati").first.wait_for(state="visible")
    assert partner.get_by_text("Melati Anggraini").count() == 0  # the psychology package carries the first name only
    partner.get_by_role("button", name="Terima rujukan").click()
    partner.locator("#status-rujukan").get_by_text("Diterima").wait_for()
    today = timezone.localdate()
    for days, summary in ((6, "Sesi pertama: membangun rasa aman."), (1, "Sesi kedua: rencana keselamatan.")):
        form = partner.locator("#catat-layanan")
        form.get_by_label("Tanggal layanan").fill((today - dt.timedelta(days=days)).isoformat())
        form.get_by_label("Ringkasan").fill(summary)
        form.get_by_role("button", name="Simpan layanan").click()
        partner.get_by_text("Layanan dicatat.").wait_for()
    partner.locator("#selesai").get_by_label("Hasil layanan").fill("Korban stabil dan terhubung dengan bantuan hukum.")
    partner.locator("#selesai").get_by_role("button", name="Selesaikan").click()
    partner.locator("#status-rujukan").get_by_text("Selesai").wait_for()

    manager.goto(f"{base}/staf/jejaring/kasus/{case.pk}/rujukan/")
    row = manager.get_by_role("row", name=psychology_org.name)
    assert "Selesai" in row.inner_text() and "2" in row.inner_text()
    for page in (manager, partner):
        assert page.external_requests == [] and page.csp_errors == []


def test_case_conference_action_becomes_a_task(live_server, browser, case_manager, psychology_org):
    base = live_server.url
    case = _case(case_manager)
    case.risk_level = "high"
    case.save(update_fields=["risk_level"])
    totp_device(case_manager)
    page = sign_in(browser, base, case_manager)
    page.goto(f"{base}/staf/jejaring/rapat/")
    form = page.locator("form#jadwalkan")
    form.get_by_label("Waktu").fill((timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label(psychology_org.name).check()
    form.get_by_role("button", name="Jadwalkan").click()
    page.get_by_text("Rapat dijadwalkan").wait_for()
    page.get_by_label("Tindak lanjut baru").fill("Kunjungan rumah bersama psikolog")
    page.get_by_label("Batas waktu").fill((timezone.localdate() + dt.timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Tambah (menjadi tugas kasus)").click()
    page.get_by_text("menjadi tugas di kasus").wait_for()
    task = Task.objects.get(case=case)
    assert "Kunjungan rumah bersama psikolog" in task.title and task.assigned_to == case_manager
    page.goto(f"{base}/staf/kasus/{case.pk}/")
    assert page.get_by_text("Kunjungan rumah bersama psikolog").first.is_visible()
    assert page.external_requests == [] and page.csp_errors == []
