"""Headless Chromium: an emergency web report reaches the top of the queue and is carried to an approved
closure by an intake officer, a case manager and a supervisor, each signing in with password + TOTP."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.casework_helpers import make_report, totp_code, totp_device
from tests.e2e.conftest import BROWSER
from tests.e2e.forms import navigate
from tests.personas import PASSWORD

pytestmark = BROWSER


def sign_in(browser, base_url: str, user):
    """The real 2FA login: password, then the TOTP computed from the device key."""
    context = browser.new_context(locale="id-ID", viewport={"width": 412, "height": 900})  # a phone-sized screen
    page = context.new_page()
    external: list[str] = []
    csp_errors: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith((base_url, "data:")) else None)
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{base_url}/staf/masuk/")
    page.get_by_label("Nama pengguna").fill(user.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Lanjut").click()
    page.wait_for_url("**/staf/masuk/verifikasi/")
    page.get_by_label("Kode verifikasi").fill(totp_code(totp_device(user)))
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base_url}/staf/")
    assert page.get_by_role("heading", name="Beranda staf").is_visible()
    page.external_requests = external  # type: ignore[attr-defined]
    page.csp_errors = csp_errors  # type: ignore[attr-defined]
    return page


def case_form(page, action: str):
    return page.locator(f"form[action$='/aksi/{action}/']")


def test_emergency_report_to_approved_closure(live_server, browser, intake_officer, case_manager, supervisor):
    base = live_server.url
    now = timezone.now()
    make_report(received_at=now - dt.timedelta(days=2), narrative="Laporan lama biasa.")
    make_report(received_at=now - dt.timedelta(hours=3), risk_level="medium")
    emergency = make_report(received_at=now - dt.timedelta(minutes=2), channel="web", is_emergency=True,
                            in_danger_now=True, violence_forms=["fisik", "psikis"],
                            narrative="Suami mengancam dengan pisau, korban bersembunyi di rumah tetangga.")
    for user in (intake_officer, case_manager, supervisor):
        totp_device(user)

    # 1. intake officer: the emergency is at the top of the queue; open a case for the case manager
    officer = sign_in(browser, base, intake_officer)
    navigate(officer, officer.get_by_role("link", name="Antrean pengaduan").first)
    first_row = officer.locator("#antrean tbody tr").first
    assert first_row.get_attribute("data-reference") == emergency.reference
    assert "DARURAT" in first_row.inner_text()
    navigate(officer, first_row.get_by_role("link", name=emergency.reference))
    assert "bersembunyi" in officer.content()
    officer.get_by_label("Manajer kasus").select_option(str(case_manager.pk))
    officer.get_by_role("button", name="Buka kasus").click()
    officer.wait_for_url("**/staf/kasus/*/")
    number = officer.get_by_role("heading", level=1).inner_text().replace("Kasus ", "")
    assert number.startswith("SRG-")
    case_url = officer.url

    # 2. case manager: assessment → high risk → plan (waits for the supervisor)
    manager = sign_in(browser, base, case_manager)
    manager.goto(case_url)
    case_form(manager, "status").get_by_label("Pindahkan ke tahap").select_option("assessment")
    navigate(manager, case_form(manager, "status").get_by_role("button", name="Pindahkan"))
    assert "Status: Asesmen" in manager.locator("#status-kasus").inner_text()
    navigate(manager, manager.locator("#langkah-berikutnya").get_by_role("link", name="Isi asesmen risiko"))  # the next step
    manager.get_by_label("Pelaku pernah memakai atau mengancam dengan senjata").check()
    manager.get_by_label("Korban sangat takut akan keselamatannya").check()
    manager.get_by_role("button", name="Simpan asesmen").click()
    manager.wait_for_url(case_url)
    assert "Risiko Tinggi" in manager.locator("#risiko-kasus").inner_text()
    case_form(manager, "status").get_by_label("Pindahkan ke tahap").select_option("planning")
    navigate(manager, case_form(manager, "status").get_by_role("button", name="Pindahkan"))
    navigate(manager, manager.locator("#langkah-berikutnya").get_by_role("link", name="Susun rencana intervensi"))
    manager.get_by_label("Tujuan dan langkah intervensi").fill("Rumah aman segera; visum; pendampingan hukum.")
    manager.get_by_label("Rumah Aman/Penampungan Sementara").check()
    manager.get_by_label("Bantuan Hukum").check()
    manager.get_by_role("button", name="Ajukan rencana").click()
    manager.wait_for_url(case_url)
    assert manager.locator("#status-rencana").inner_text() == "Menunggu persetujuan"

    # 3. supervisor approves the plan
    boss = sign_in(browser, base, supervisor)
    navigate(boss, boss.get_by_role("link", name="Supervisor"))
    navigate(boss, boss.get_by_role("link", name=number).first)
    plan_form = case_form(boss, "rencana-keputusan")
    plan_form.get_by_role("combobox", name="Keputusan").select_option("approve")
    navigate(boss, plan_form.get_by_role("button", name="Simpan keputusan rencana"))
    assert boss.locator("#status-rencana").inner_text() == "Disetujui"

    # 4. case manager: service, a note and a task, monitoring, closure request
    manager.goto(case_url)
    case_form(manager, "status").get_by_label("Pindahkan ke tahap").select_option("in_service")
    navigate(manager, case_form(manager, "status").get_by_role("button", name="Pindahkan"))
    assert "Status: Layanan" in manager.locator("#status-kasus").inner_text()
    note = case_form(manager, "catatan")
    note.get_by_label("Jenis catatan").select_option("counselling")
    note.get_by_label("Isi catatan").fill("Sesi konseling pertama; korban sudah di rumah aman.")
    navigate(manager, note.get_by_role("button", name="Simpan catatan"))
    assert "Sesi konseling pertama" in manager.content()
    task = case_form(manager, "tugas")
    task.get_by_role("textbox", name="Tugas").fill("Dampingi visum di RSUD")
    task.get_by_label("Penanggung jawab").select_option(str(case_manager.pk))
    task.get_by_label("Batas waktu").fill((timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    navigate(manager, task.get_by_role("button", name="Buat tugas"))
    assert "Dampingi visum di RSUD" in manager.content()
    case_form(manager, "status").get_by_label("Pindahkan ke tahap").select_option("monitoring")
    navigate(manager, case_form(manager, "status").get_by_role("button", name="Pindahkan"))
    closure = case_form(manager, "terminasi")
    closure.get_by_label("Alasan terminasi").fill("Korban aman, proses hukum berjalan, layanan selesai.")
    navigate(manager, closure.get_by_role("button", name="Ajukan terminasi ke supervisor"))
    assert "Terminasi menunggu persetujuan" in manager.content()

    # 5. supervisor approves the closure
    boss.goto(case_url)
    decision = case_form(boss, "terminasi-keputusan")
    decision.get_by_role("combobox", name="Keputusan").select_option("approve")
    navigate(boss, decision.get_by_role("button", name="Simpan keputusan terminasi"))
    assert "Status: Terminasi" in boss.locator("#status-kasus").inner_text()
    timeline = boss.locator("#linimasa").inner_text()
    for step in ("Kasus dibuka dari pengaduan", "Asesmen risiko: Tinggi", "Rencana intervensi disetujui supervisor",
                 "Catatan: Sesi konseling", "Terminasi disetujui supervisor"):
        assert step in timeline

    for page in (officer, manager, boss):
        assert page.external_requests == []  # type: ignore[attr-defined]
        assert page.csp_errors == []  # type: ignore[attr-defined]


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]
            if v.get("impact") in {"serious", "critical"}]


def test_staff_pages_have_no_serious_accessibility_violations(live_server, browser, intake_officer, case_manager):
    from salingsapa.cases import services

    report = make_report(is_emergency=True, violence_forms=["seksual"])
    case = services.case_open(actor=intake_officer, report=report, case_manager=case_manager)
    totp_device(case_manager)
    page = sign_in(browser, live_server.url, case_manager)
    for path in ("/staf/", "/staf/pengaduan/", "/staf/pengaduan/baru/", f"/staf/kasus/{case.pk}/",
                 f"/staf/kasus/{case.pk}/asesmen-risiko/", "/staf/kasus/", "/staf/kasus/saya/"):
        page.goto(live_server.url + path)
        assert serious_violations(page) == [], path
    assert page.csp_errors == []  # type: ignore[attr-defined]
