"""Headless Chromium: a planner publishes a visit, a person on a 360-px phone books its LAST slot from the
public page (anonymously, no JavaScript needed), and the psychologist sees the booking's reference — and
no name — in their rota. axe finds nothing serious on the new pages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from salingsapa.outreach import services
from salingsapa.outreach.models import Booking, Visit
from tests.casework_helpers import verified_client
from tests.e2e.conftest import BROWSER
from tests.outreach_helpers import make_visit

pytestmark = BROWSER

SHOTS = os.environ.get("SALINGSAPA_SCREENSHOTS", "")


def _serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    return [f"{v['id']}: {v['help']}" for v in results["violations"] if v.get("impact") in ("serious", "critical")]


def _signed_in(browser, base: str, user, width: int = 1366):
    client = verified_client(user)
    context = browser.new_context(locale="id-ID", viewport={"width": width, "height": 900})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": base}])
    return context.new_page()


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_publish_book_the_last_slot_on_a_phone_and_see_it_in_the_rota(live_server, browser, case_manager,
                                                                        partner_psychologist):
    base = live_server.url
    visit = make_visit(case_manager, [partner_psychologist], publish=False, venue_name="SMP Negeri 7 Serang")
    services.visit_publish(by=case_manager, visit=make_visit(case_manager, [partner_psychologist], days=2,
                                                             venue_name="Posyandu Kenanga", venue_kind="posyandu",
                                                             publish=False))

    # the planner publishes the draft
    planner = _signed_in(browser, base, case_manager)
    planner.goto(f"{base}/staf/keliling/{visit.pk}/")
    assert _serious(planner) == []
    planner.get_by_role("button", name="Umumkan").click()
    planner.get_by_text("Kunjungan diumumkan").wait_for()
    assert Visit.objects.get(pk=visit.pk).status == "published"
    first = services.booking_create(visit_id=visit.pk, data={"anonymous": True})  # one slot left

    # a person on a 360-px phone, without JavaScript: the page works with plain links and forms
    context = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 740}, java_script_enabled=False)
    phone = context.new_page()
    outside: list[str] = []
    phone.on("request", lambda r: outside.append(r.url) if not r.url.startswith((base, "data:")) else None)
    phone.goto(f"{base}/konseling-keliling/")
    assert phone.get_by_role("heading", name="Konseling keliling").is_visible()
    assert phone.get_by_text("1 jam janji masih kosong.").is_visible()
    _shot(phone, "outreach-schedule-360")
    phone.get_by_role("link", name="Pesan jam — SMP Negeri 7 Serang").click()
    phone.get_by_role("heading", name="Pesan jam konseling").wait_for()
    _shot(phone, "outreach-book-360")
    phone.get_by_label("Tanpa nama — saya akan mencatat nomor janji dan kode rahasia").check()
    phone.get_by_role("button", name="Pesan", exact=True).click()
    phone.get_by_role("heading", name="Janji Anda sudah tercatat").wait_for()
    reference = phone.locator("#reference").inner_text().strip()
    codename = phone.locator("#codename").inner_text().strip()
    assert reference.startswith("KK-") and len(codename.split()) == 7
    _shot(phone, "outreach-done-360")
    booking = Booking.objects.get(reference=reference)
    assert booking.anonymous and booking.slot.visit_id == visit.pk and booking.slot_id != first.booking.slot_id
    assert outside == []

    # the psychologist's rota shows the reference and the slot, never a name
    pro = _signed_in(browser, base, partner_psychologist)
    pro.goto(f"{base}/staf/keliling/")
    rota = pro.locator("#rota")
    assert reference in rota.inner_text() and first.reference in rota.inner_text()
    assert _serious(pro) == []
    _shot(pro, "outreach-staff-rota-1366")
    rota.get_by_role("link", name=reference).click()
    pro.get_by_text("Tanpa nama.").wait_for()


@pytest.mark.django_db(transaction=True)
def test_new_public_pages_pass_axe_at_360_and_1366(live_server, browser, case_manager, partner_psychologist):
    base = live_server.url
    visit = make_visit(case_manager, [partner_psychologist], venue_name="Balai Warga RW 05",
                       venue_kind="community_hall")
    make_visit(case_manager, [partner_psychologist], days=4, venue_name="Rumah Kolaborasi Saling Sapa",
               venue_kind="rumah_kolaborasi")
    failures = {}
    for width in (360, 1366):
        context = browser.new_context(locale="id-ID", viewport={"width": width, "height": 800})
        page = context.new_page()
        for name, path in [("schedule", "/konseling-keliling/"), ("poster", f"/konseling-keliling/{visit.pk}/poster/"),
                           ("book", f"/konseling-keliling/{visit.pk}/pesan/"), ("ask", "/konseling-keliling/minta/"),
                           ("manage", "/konseling-keliling/janji/")]:
            page.goto(base + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
            problems = _serious(page)
            if problems:
                failures[f"{name}@{width}"] = problems
            _shot(page, f"outreach-{name}-{width}")
        # a form sent with errors is announced and keeps what was typed
        page.goto(f"{base}/konseling-keliling/{visit.pk}/pesan/")
        page.get_by_label("Dengan kontak — hubungi saya untuk pengingat").check()
        page.get_by_label("Nomor telepon / WhatsApp").fill("0812-ABC")
        page.get_by_role("button", name="Pesan", exact=True).click()
        page.get_by_role("heading", name="Ada isian yang perlu diperbaiki").wait_for()
        assert page.get_by_label("Nomor telepon / WhatsApp").input_value() == "0812-ABC"
        problems = _serious(page)
        if problems:
            failures[f"book-errors@{width}"] = problems
        context.close()
    staff = _signed_in(browser, base, case_manager, width=360)
    for name, path in [("staff-index", "/staf/keliling/"), ("staff-visit", f"/staf/keliling/{visit.pk}/"),
                       ("staff-new", "/staf/keliling/baru/")]:
        staff.goto(base + path)
        problems = _serious(staff)
        if problems:
            failures[f"{name}@360"] = problems
        _shot(staff, f"outreach-{name}-360")
    assert failures == {}


@pytest.mark.django_db(transaction=True)
def test_edit_a_visit_with_a_booking_at_360_and_1366(live_server, browser, case_manager, partner_psychologist):
    """The edit page: no serious axe finding and nothing wider than the screen at 360 and 1366 px; fewer slots
    than bookings is refused in Indonesian on its field, with what was typed kept; a change saves."""
    base = live_server.url
    visit = make_visit(case_manager, [partner_psychologist], venue_name="SD Negeri Cipare 2")
    services.booking_create(visit_id=visit.pk, data={"anonymous": True})
    for width in (360, 1366):
        page = _signed_in(browser, base, case_manager, width=width)
        page.goto(f"{base}/staf/keliling/{visit.pk}/")
        page.get_by_role("link", name="Ubah kunjungan").click()
        page.get_by_role("heading", name="Ubah kunjungan — SD Negeri Cipare 2").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert _serious(page) == []
        _shot(page, f"outreach-staff-edit-{width}")
        page.get_by_label("Nama tempat").fill("SD Negeri Cipare 3")
        page.get_by_label("Jumlah slot janji").fill("0")
        page.get_by_role("button", name="Simpan perubahan").click()
        page.get_by_role("heading", name="Ada isian yang perlu diperbaiki").wait_for()
        assert "Jumlah slot tidak boleh kurang dari janji yang sudah dipesan (1)." in page.locator(
            "#ringkasan-kesalahan").inner_text()
        assert page.get_by_label("Nama tempat").input_value() == "SD Negeri Cipare 3"
        assert _serious(page) == []
        _shot(page, f"outreach-staff-edit-error-{width}")
        page.context.close()
    page = _signed_in(browser, base, case_manager)
    page.goto(f"{base}/staf/keliling/{visit.pk}/ubah/")
    page.get_by_label("Jam selesai").fill("11:00")
    page.get_by_label("Jumlah slot janji").fill("4")
    page.get_by_role("button", name="Simpan perubahan").click()
    page.get_by_text("Kunjungan diubah.").wait_for()
    assert Visit.objects.get(pk=visit.pk).slots.count() == 4
