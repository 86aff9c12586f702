"""The public report form in real headless Chromium: every step, codename follow-up, quick exit, axe.

No network: every request that is not for the live server is intercepted; the neutral quick-exit
site is answered by a stub so that the navigation can be observed without leaving the machine.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import BROWSER, EXIT_URL
from tests.e2e.forms import send

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]



@pytest.fixture
def browser_page(offline_pages):
    page = offline_pages()
    csp_errors: list[str] = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    assert csp_errors == [], f"the page broke its Content-Security-Policy: {csp_errors}"


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"]
            if v.get("impact") in {"serious", "critical"}]


def next_step(page):
    send(page, page.get_by_role("button", name="Lanjut", exact=True))


def test_report_through_every_step_then_follow_up_and_read_the_reply(browser_page, live_server, intake_officer):
    from salingsapa.intake.evidence import evidence_read
    from salingsapa.intake.models import Report
    from salingsapa.intake.services import report_message_add
    from tests.test_evidence import jpeg_with_gps

    page = browser_page
    base = live_server.url
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("link", name="Keluar cepat").is_visible()
    violations = serious_violations(page)
    page.get_by_role("link", name="Lapor sekarang").click()
    page.get_by_role("link", name="Mulai").click()

    # 1 who is reporting
    assert page.url.endswith("/lapor/pelapor/")
    violations += serious_violations(page)
    next_step(page)  # nothing chosen: a message beside the field
    assert page.get_by_text("Pilih siapa yang melapor.").first.is_visible()
    page.get_by_label("Keluarga korban").check()
    next_step(page)
    # 2 danger
    page.get_by_label("Tidak", exact=True).check()
    next_step(page)
    # 3 what happened: bad input keeps what was typed
    page.get_by_label("Ceritakan apa yang terjadi").fill("Ayah tiri memukul anak saya berkali-kali.")
    next_step(page)
    assert page.get_by_text("Pilih setidaknya satu bentuk kekerasan.").first.is_visible()
    assert page.get_by_label("Ceritakan apa yang terjadi").input_value() == "Ayah tiri memukul anak saya berkali-kali."
    violations += serious_violations(page)
    page.get_by_label("Kekerasan fisik").check()
    next_step(page)
    # 4 victim
    page.get_by_label("Perempuan").check()
    page.get_by_label("Umur korban").select_option("25-44")
    page.get_by_label("Tidak, sudah dewasa").check()
    violations += serious_violations(page)
    next_step(page)
    # 5 where: a select with optgroups per kecamatan
    page.get_by_label("Kelurahan (dikelompokkan").select_option("36.73.02.1001")
    violations += serious_violations(page)
    next_step(page)
    # 6 when
    page.get_by_label("Tanggal kejadian").fill("2025-10-01")
    next_step(page)
    # 7 perpetrator (all optional)
    page.get_by_label("Hubungan pelaku dengan korban").select_option("orang-tua")
    violations += serious_violations(page)
    next_step(page)
    # 8 contact
    page.get_by_label("Jangan hubungi saya").check()
    violations += serious_violations(page)
    next_step(page)
    # 9 evidence: a photo with GPS data, uploaded without JavaScript-only widgets
    violations += serious_violations(page)
    page.get_by_label("Pilih berkas").set_input_files(
        files=[{"name": "bukti.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
    )
    send(page, page.get_by_role("button", name="Unggah dan tambah lagi"))
    assert page.get_by_text("bukti.jpg").first.is_visible()
    send(page, page.get_by_role("button", name="Lanjut ke ringkasan"))
    # summary
    assert page.get_by_text("Ayah tiri memukul anak saya berkali-kali.").is_visible()
    violations += serious_violations(page)
    send(page, page.get_by_role("button", name="Kirim laporan"))

    reference = page.locator("#reference").inner_text().strip()
    codename = page.locator("#codename").inner_text().strip()
    assert re.fullmatch(r"LP-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    assert len(codename.split()) == 7
    violations += serious_violations(page)

    report = Report.objects.get(reference=reference)
    assert report.kelurahan_id == "36.73.02.1001" and report.violence_forms == ["fisik"]
    evidence = report.evidence.get()
    assert evidence.content_type == "image/jpeg" and b"KameraPelaku" not in evidence_read(evidence)
    report_message_add(report=report, sender="staff", body="Halo, kami petugas UPTD PPA. Apakah Anda aman?",
                       staff_user=intake_officer)

    page.goto(base + "/lapor/cek/")
    page.get_by_label("Nomor pengaduan").fill(reference)
    page.get_by_label("Kode rahasia").fill("salah " + codename)
    send(page, page.get_by_role("button", name="Buka laporan"))
    assert page.get_by_text("salah. Periksa lagi").first.is_visible()
    page.get_by_label("Kode rahasia").fill(codename)
    send(page, page.get_by_role("button", name="Buka laporan"))
    assert page.get_by_text("Halo, kami petugas UPTD PPA. Apakah Anda aman?").is_visible()
    violations += serious_violations(page)
    page.get_by_label("Pesan atau informasi tambahan").fill("Saya aman sekarang, terima kasih.")
    send(page, page.get_by_role("button", name="Kirim pesan"))
    assert page.get_by_text("Saya aman sekarang, terima kasih.").is_visible()
    assert report.messages.filter(sender="reporter").count() == 1

    assert violations == [], "\n".join(violations)


def test_quick_exit_with_escape_twice_leaves_no_way_back(browser_page, live_server):
    page = browser_page
    base = live_server.url
    page.goto(base + "/")
    page.goto(base + "/lapor/pelapor/")
    page.get_by_label("Saya sendiri yang mengalami").check()
    send(page, page.get_by_role("button", name="Lanjut", exact=True))
    page.goto(base + "/lapor/kejadian/")
    page.get_by_label("Ceritakan apa yang terjadi").fill("Rahasia yang tidak boleh terlihat lagi")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(EXIT_URL)
    assert page.get_by_text("Prakiraan cuaca").is_visible()
    # the beacon made the server forget the session; Back does not return to the form page
    page.go_back()
    page.wait_for_load_state()
    assert not page.url.endswith("/lapor/kejadian/")
    assert "Rahasia yang tidak boleh" not in page.content()
    page.goto(base + "/lapor/ringkasan/")
    assert page.url.endswith("/lapor/")  # the draft is gone


def test_quick_exit_button(browser_page, live_server):
    page = browser_page
    page.goto(live_server.url + "/lapor/")
    page.get_by_role("link", name="Keluar cepat").click()
    page.wait_for_url(EXIT_URL)
    page.go_back()
    page.wait_for_load_state()
    assert not page.url.endswith("/lapor/")


def test_english_switch_in_the_browser(browser_page, live_server):
    page = browser_page
    page.goto(live_server.url + "/")
    send(page, page.get_by_role("button", name="English"))
    assert page.locator("html").get_attribute("lang") == "en"
