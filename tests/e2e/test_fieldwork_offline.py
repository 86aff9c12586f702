"""The field app offline, in real headless Chromium against a live server (issue 13 items 3 and 7).

A counsellor opens the field page, goes offline, records three sessions (one a disclosure), taps save
twice on one, reloads the page while offline (the service worker serves it), comes back online and
the entries sync: exactly three sessions and one report. Sign-out wipes the device's store.
"""

from __future__ import annotations

import os
import time

import pytest
from playwright.sync_api import expect

from salingsapa.fieldwork.models import FieldSession
from salingsapa.intake.models import Report
from tests.e2e.conftest import BROWSER
from tests.fieldwork_helpers import make_visit

SHOTS = os.environ.get("SALINGSAPA_SCREENSHOTS", "")
pytestmark = [*BROWSER]


@pytest.fixture
def phone(browser):
    """A phone-sized page context whose browser asks for Bahasa Indonesia (service workers allowed)."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="id-ID")
    yield context
    context.close()


def _sign_in(context, live_server, user) -> None:
    from django.conf import settings

    from tests.casework_helpers import verified_client

    client = verified_client(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])


def _wait(predicate, timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _pending(page) -> int:
    return page.evaluate("""() => new Promise((resolve) => {
        const req = indexedDB.open('ss-lapangan');
        req.onsuccess = () => {
            const db = req.result;
            if (!db.objectStoreNames.contains('entries')) { db.close(); resolve(-1); return; }
            const r = db.transaction('entries').objectStore('entries').count();
            r.onsuccess = () => { db.close(); resolve(r.result); };
        };
        req.onerror = () => resolve(-2);
    })""")


def _consultation(page, sex: str, age: str, topic: str) -> None:
    page.check("#id_kind_0")
    page.select_option("#id_sex", sex)
    page.select_option("#id_age_group", age)
    page.select_option("#id_topic", topic)


def _fill(page, **values: str) -> None:
    """Answer the form's fields by name: a select is chosen, a text typed."""
    for name, value in values.items():
        control = f"#id_{name}"
        if page.locator(control).evaluate("(el) => el.tagName") == "SELECT":
            page.select_option(control, value)
        else:
            page.fill(control, value)


KEY_ON_DEVICE = """() => new Promise((resolve) => {
    const req = indexedDB.open('ss-lapangan');
    // not there yet: abort instead of creating an empty database field.js would then find without its stores
    req.onupgradeneeded = () => req.transaction.abort();
    req.onsuccess = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains('meta')) { db.close(); resolve(false); return; }
        const r = db.transaction('meta').objectStore('meta').get('current');
        r.onsuccess = () => { db.close(); resolve(!!r.result); };
        r.onerror = () => { db.close(); resolve(false); };
    };
    req.onerror = () => resolve(false);
})"""


def _key_ready(page) -> None:
    """field.js has the key: until then a save online falls through to a normal form post (a navigation), and a
    page.evaluate right after the click would race that navigation ("Execution context was destroyed")."""
    page.wait_for_load_state()
    _wait(lambda: page.evaluate(KEY_ON_DEVICE), what="the key on the device")


def _ready(page) -> None:
    """The page has its key and the service worker controls it."""
    _key_ready(page)
    _wait(lambda: page.evaluate("""async () => {
        if (!navigator.serviceWorker.controller) return false;
        const names = await caches.keys();
        if (!names.length) return false;
        const cache = await caches.open(names[0]);
        return !!(await cache.match(location.origin + location.pathname));
    }"""), what="the service worker and the cached page")


@pytest.mark.django_db(transaction=True)
def test_offline_sessions_sync_exactly_once(live_server, phone, counsellor):
    visit = make_visit()
    _sign_in(phone, live_server, counsellor)
    page = phone.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    url = f"{live_server.url}/staf/lapangan/kunjungan/{visit.pk}/"
    page.goto(url)
    _ready(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/field-visit-360.png", full_page=True)

    phone.set_offline(True)
    assert page.evaluate("navigator.onLine") is False
    # 1: a consultation
    _consultation(page, "female", "25-44", "pengasuhan-anak")
    page.click("[data-save]")
    _wait(lambda: _pending(page) == 1, what="first entry")
    # 2: a consultation, save tapped twice in a row
    _consultation(page, "male", "13-17", "perundungan")
    page.evaluate("""() => { const b = document.querySelector('[data-save]'); b.click(); b.click(); }""")
    page.locator("[data-save]").dblclick()  # and a real double tap on the (reset) form: refused by the checks
    _wait(lambda: _pending(page) == 2, what="second entry")
    # 3: a disclosure
    page.check("#id_kind_1")
    page.check("input[name=violence_forms][value=fisik]")
    _fill(page, reporter_role="victim", narrative="Saya sering dipukul suami di rumah.", victim_sex="female",
          victim_age_group="25-44", kelurahan=visit.kelurahan_id)
    page.click("[data-save]")
    _wait(lambda: _pending(page) == 3, what="third entry")
    time.sleep(0.5)
    assert _pending(page) == 3
    # the store holds ciphertext only
    stored = page.evaluate("""() => new Promise((resolve) => {
        const req = indexedDB.open('ss-lapangan');
        req.onsuccess = () => {
            const r = req.result.transaction('entries').objectStore('entries').getAll();
            r.onsuccess = () => { req.result.close(); resolve(r.result.map((e) => ({ct: e.ct instanceof ArrayBuffer, keys: Object.keys(e)}))); };
        };
    })""")
    assert all(item["ct"] and "fields" not in item["keys"] for item in stored)
    assert FieldSession.objects.count() == 0 and Report.objects.count() == 0

    # reload while offline: the service worker serves the page from its cache (the cached copy is not
    # refreshed, so the network was not reached); the entries are still there
    cached_date = """async () => {
        const cache = await caches.open((await caches.keys())[0]);
        const hit = await cache.match(location.origin + location.pathname);
        return hit ? hit.headers.get('Date') : null;
    }"""
    before = page.evaluate(cached_date)
    time.sleep(1.1)
    response = page.reload()
    assert response is not None and response.from_service_worker
    assert before is not None and page.evaluate(cached_date) == before
    assert page.locator("h1").inner_text().startswith("Catat sesi")
    _wait(lambda: page.locator("[data-pending-list] li").count() == 3, what="the pending list after reload")
    assert FieldSession.objects.count() == 0

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _wait(lambda: _pending(page) == 0, timeout=30, what="the sync")
    assert FieldSession.objects.count() == 3
    assert FieldSession.objects.filter(kind="disclosure").count() == 1
    assert Report.objects.count() == 1
    report = Report.objects.get()
    assert report.channel == "outreach" and FieldSession.objects.get(kind="disclosure").report == report
    # a second sync (the page's timer, another tab) finds nothing to send and creates nothing
    page.evaluate("window.salingsapaFieldSync()")
    time.sleep(1)
    assert FieldSession.objects.count() == 3 and Report.objects.count() == 1
    # the only console errors: the browser noting the key fetch that failed while offline (and a missing favicon)
    assert [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e and "404" not in e] == []
    assert [u for u in missing if not u.endswith("/favicon.ico")] == []


@pytest.mark.django_db(transaction=True)
def test_a_visit_first_opened_offline_from_the_list(live_server, phone, counsellor):
    """The list of visits keeps each visit's form and the key: a visit never opened before works offline."""
    visit = make_visit()
    _sign_in(phone, live_server, counsellor)
    page = phone.new_page()
    page.goto(f"{live_server.url}/staf/lapangan/")
    form_url = f"{live_server.url}/staf/lapangan/kunjungan/{visit.pk}/"
    _wait(lambda: page.evaluate("""async (url) => {
        if (!navigator.serviceWorker.controller) return false;
        const names = await caches.keys();
        return names.length > 0 && !!(await (await caches.open(names[0])).match(url));
    }""", form_url), what="the visit's form in the cache")
    phone.set_offline(True)
    page.click(f"a[href='/staf/lapangan/kunjungan/{visit.pk}/']")
    page.wait_for_selector("[data-save]")
    _consultation(page, "female", "18-24", "keamanan-digital")
    page.click("[data-save]")
    _wait(lambda: _pending(page) == 1, what="the entry")
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _wait(lambda: _pending(page) == 0, timeout=30, what="the sync")
    assert FieldSession.objects.get().topic == "keamanan-digital"


def _one_unsent_entry(phone, live_server, counsellor, *answers: str):
    """A visit's page with one consultation (sex, age group, topic) saved offline that cannot be sent: the
    phone is back online, but the sync endpoint is unreachable."""
    visit = make_visit()
    _sign_in(phone, live_server, counsellor)
    page = phone.new_page()
    page.goto(f"{live_server.url}/staf/lapangan/kunjungan/{visit.pk}/")
    _ready(page)
    phone.set_offline(True)
    _consultation(page, *answers)
    page.click("[data-save]")
    _wait(lambda: _pending(page) == 1, what="the entry")
    phone.set_offline(False)
    page.route("**/staf/lapangan/sinkron/", lambda route: route.abort())
    return visit, page


@pytest.mark.django_db(transaction=True)
def test_sign_out_wipes_the_device_store(live_server, phone, counsellor):
    # the entry is still unsent when the counsellor signs out: the page asks, then wipes
    visit, page = _one_unsent_entry(phone, live_server, counsellor, "female", "60+", "kesehatan-mental")
    dialogs: list[str] = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.click("form.logout button[type=submit]")
    page.wait_for_url("**/staf/masuk/**")
    assert dialogs and "belum terkirim" in dialogs[0]
    wiped = page.evaluate("""async () => {
        const dbs = indexedDB.databases ? await indexedDB.databases() : [];
        const names = await caches.keys();
        const regs = await navigator.serviceWorker.getRegistrations();
        return {dbs: dbs.map((d) => d.name), caches: names, workers: regs.length};
    }""")
    assert "ss-lapangan" not in wiped["dbs"]
    assert [n for n in wiped["caches"] if n.startswith("ss-lapangan")] == []
    assert wiped["workers"] == 0
    assert FieldSession.objects.count() == 0
    # and the field page is no longer served to a signed-out browser, online or offline
    phone.set_offline(True)
    try:
        page.goto(f"{live_server.url}/staf/lapangan/kunjungan/{visit.pk}/")
        served = page.locator("h1").count() and page.locator("h1").inner_text().startswith("Catat sesi")
    except Exception:  # noqa: BLE001 - net::ERR_INTERNET_DISCONNECTED: nothing cached, as it should be
        served = False
    assert not served


@pytest.mark.django_db(transaction=True)
def test_sign_out_from_any_staff_page_wipes_the_store(live_server, phone, counsellor):
    """Signed out from a page without field.js: the server's Clear-Site-Data wipes the field store too."""
    _visit, page = _one_unsent_entry(phone, live_server, counsellor, "male", "45-59", "ekonomi-keluarga")
    page.goto(f"{live_server.url}/staf/peringatan/")
    assert page.locator("script[src*='field.js']").count() == 0
    page.click("form.logout button[type=submit]")
    page.wait_for_url("**/staf/masuk/**")
    _wait(lambda: _pending(page) == -1, what="the store to be cleared")  # a fresh, empty database
    assert page.evaluate("async () => (await caches.keys()).filter((n) => n.startsWith('ss-lapangan')).length") == 0
    assert page.evaluate("async () => (await navigator.serviceWorker.getRegistrations()).length") == 0


@pytest.mark.django_db(transaction=True)
def test_field_pages_on_a_phone_and_a_desktop(live_server, phone, counsellor, supervisor):
    """axe finds nothing serious; nothing wider than a 360-px screen; screenshots at 360 and 1366 px."""
    from axe_playwright_python.sync_playwright import Axe

    from tests.casework_helpers import verified_client
    from tests.fieldwork_helpers import consultation_fields, disclosure_fields, entry

    visit = make_visit()
    client = verified_client(counsellor)
    import json

    client.post("/staf/lapangan/sinkron/", content_type="application/json", data=json.dumps({"entries": [
        entry(visit, consultation_fields()), entry(visit, disclosure_fields())]}))
    _sign_in(phone, live_server, supervisor)
    page = phone.new_page()
    pages = {"home": "/staf/lapangan/", "visit": f"/staf/lapangan/kunjungan/{visit.pk}/",
             "sessions": f"/staf/lapangan/kunjungan/{visit.pk}/rekap/", "stats": "/staf/lapangan/statistik/"}
    for name, path in pages.items():
        for width in (360, 1366):
            page.set_viewport_size({"width": width, "height": 780})
            page.goto(live_server.url + path)
            if width == 360:
                assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
                serious = [v["id"] for v in Axe().run(page).response["violations"]
                           if v.get("impact") in ("serious", "critical")]
                assert serious == [], (name, serious)
            if SHOTS:
                page.screenshot(path=f"{SHOTS}/field-{name}-{width}.png", full_page=True)
    # the visit page's form errors: a summary that takes focus, each error on its field
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(live_server.url + pages["visit"])
    _key_ready(page)  # else the save posts the form to the server (a navigation) instead of checking it here
    page.check("#id_kind_0")
    page.click("[data-save]")
    expect(page.locator("[data-js-errors]")).to_be_focused()
    assert page.locator("[data-js-errors] li").count() == 3
    assert page.locator("#id_topic[aria-invalid=true]").count() == 1
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/field-visit-errors-360.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_an_entry_the_server_refuses_comes_back_for_correction(live_server, phone, counsellor):
    """An entry that passes the phone's checks but not intake's schema (a phone number with letters) stays on
    the device with the server's message on its field; corrected, it syncs under the same id: one report."""
    visit = make_visit()
    _sign_in(phone, live_server, counsellor)
    page = phone.new_page()
    page.goto(f"{live_server.url}/staf/lapangan/kunjungan/{visit.pk}/")
    _ready(page)
    page.check("#id_kind_1")
    page.check("input[name=violence_forms][value=fisik]")
    _fill(page, reporter_role="family", narrative="Anak tetangga sering dipukul ayahnya.", victim_sex="male",
          victim_age_group="6-12", kelurahan=visit.kelurahan_id, preferred_channel="whatsapp",
          contact_phone="nomor-rahasia")
    page.click("[data-save]")
    _wait(lambda: page.locator("[data-pending-list] button").count() == 1, what="the refused entry")
    assert FieldSession.objects.count() == 0 and Report.objects.count() == 0
    entry_id = page.evaluate("""() => new Promise((resolve) => {
        const req = indexedDB.open('ss-lapangan');
        req.onsuccess = () => { const r = req.result.transaction('entries').objectStore('entries').getAll();
            r.onsuccess = () => { req.result.close(); resolve(r.result[0].id); }; };
    })""")
    page.locator("[data-pending-list] button").click()
    # expect() polls without eval: the page's CSP (script-src 'self') refuses wait_for_function's string predicate
    expect(page.locator("#id_contact_phone")).to_have_attribute("aria-invalid", "true")
    # everything typed is back (opened from the sealed entry), with the server's message on the phone field
    assert page.input_value("#id_narrative") == "Anak tetangga sering dipukul ayahnya."
    assert page.input_value("#id_contact_phone") == "nomor-rahasia"
    assert page.locator("#id_contact_phone[aria-invalid=true]").count() == 1
    assert page.input_value("[name=client_id]") == entry_id
    page.fill("#id_contact_phone", "0812 3456 7890")
    page.click("[data-save]")
    _wait(lambda: _pending(page) == 0, timeout=30, what="the corrected entry to sync")
    session = FieldSession.objects.get()
    assert str(session.client_id) == entry_id and Report.objects.count() == 1
    assert session.report.contact_phone == "+6281234567890"
