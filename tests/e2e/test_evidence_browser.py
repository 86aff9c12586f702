"""Headless Chromium: a reporter attaches a photo on the public form; the case manager sees it on the case
page with its facts, opens it inline and downloads it; both are audited reads (issue 10 item 1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from salingsapa.cases import services as case_services
from salingsapa.core.models import AuditEvent
from salingsapa.intake.models import Report
from tests.casework_helpers import totp_device
from tests.e2e.conftest import BROWSER
from tests.e2e.forms import send
from tests.e2e.test_case_flow_browser import sign_in
from tests.e2e.test_public_report_browser import next_step, serious_violations
from tests.test_evidence import jpeg_with_gps

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SALINGSAPA_SCREENSHOTS", "")) if os.environ.get("SALINGSAPA_SCREENSHOTS") else None


def _report_with_a_photo(chromium, base: str) -> str:
    context = chromium.new_context(locale="id-ID", viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(base + "/lapor/")
    page.get_by_role("link", name="Mulai").click()
    page.get_by_label("Keluarga korban").check()
    next_step(page)
    page.get_by_label("Tidak", exact=True).check()
    next_step(page)
    page.get_by_label("Ceritakan apa yang terjadi").fill("Saya dipukul, ini foto lebamnya.")
    page.get_by_label("Kekerasan fisik").check()
    next_step(page)
    page.get_by_label("Perempuan").check()
    page.get_by_label("Umur korban").select_option("25-44")
    page.get_by_label("Tidak, sudah dewasa").check()
    next_step(page)
    page.get_by_label("Kelurahan (dikelompokkan").select_option("36.73.02.1001")
    next_step(page)
    page.get_by_label("Tanggal kejadian").fill("2025-10-01")
    next_step(page)
    next_step(page)  # perpetrator (optional)
    page.get_by_label("Jangan hubungi saya").check()
    next_step(page)
    page.get_by_label("Pilih berkas").set_input_files(
        files=[{"name": "lebam.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
    )
    send(page, page.get_by_role("button", name="Unggah dan tambah lagi"))
    send(page, page.get_by_role("button", name="Lanjut ke ringkasan"))
    send(page, page.get_by_role("button", name="Kirim laporan"))
    reference = page.locator("#reference").inner_text().strip()
    context.close()
    return reference


def test_reporter_photo_reaches_the_case_manager_who_opens_it(live_server, browser, case_manager):
    base = live_server.url
    reference = _report_with_a_photo(browser, base)
    report = Report.objects.get(reference=reference)
    evidence = report.evidence.get()
    case = case_services.case_open(actor=case_manager, report=report, case_manager=case_manager)

    totp_device(case_manager)
    page = sign_in(browser, base, case_manager)
    page.goto(f"{base}/staf/kasus/{case.pk}/")
    assert "Mulai asesmen" in page.locator("#langkah-berikutnya").inner_text()
    if SHOTS:
        for width in (360, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SHOTS / f"case-top-{width}.png"))
    section = page.locator("#bukti")
    assert section.get_by_role("heading", name="Bukti dari pengaduan").is_visible()
    text = section.inner_text()
    for fact in ("image/jpeg", evidence.sha256, "Formulir situs web", reference):
        assert fact in text, fact
    # closed: nothing has been read yet
    assert not AuditEvent.objects.filter(object_type="evidence", action="read").exists()
    violations = serious_violations(page)

    section.get_by_text("Lihat gambar").click()
    image = section.get_by_role("img", name="Bukti gambar 1")
    image.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert AuditEvent.objects.filter(actor=case_manager, object_type="evidence", object_id=str(evidence.pk),
                                     action="read", detail__purpose="view").count() == 1
    if SHOTS:
        for width in (360, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            section.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"case-evidence-{width}.png"), full_page=False)
    violations += serious_violations(page)

    with page.expect_download() as info:
        section.get_by_role("link", name="Unduh berkas").click()
    download = info.value
    assert download.suggested_filename == f"bukti-{evidence.pk}.jpg"
    assert AuditEvent.objects.filter(actor=case_manager, object_type="evidence", object_id=str(evidence.pk),
                                     action="read", detail__purpose="download").count() == 1
    assert page.external_requests == [] and page.csp_errors == []  # type: ignore[attr-defined]
    assert violations == [], "\n".join(violations)
