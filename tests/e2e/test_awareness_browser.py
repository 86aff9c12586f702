"""Education pages and awareness staff pages in real headless Chromium at 360 px: axe finds nothing serious,
the quick exit is the first thing on the public pages, nothing leaves the machine, the CSP holds."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.conf import settings

from salingsapa.awareness import services
from salingsapa.core.models import Region
from tests.casework_helpers import verified_client
from tests.e2e.conftest import BROWSER, EXIT_URL, keep_on_this_machine
from tests.e2e.forms import navigate
from tests.e2e.test_public_report_browser import serious_violations
from tests.test_evidence import jpeg_with_gps

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SALINGSAPA_SCREENSHOTS", "")


@pytest.fixture
def phone(live_server, settings, browser):
    settings.QUICK_EXIT_URL = EXIT_URL
    outside: list[str] = []
    problems: list[str] = []
    context = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 740})
    keep_on_this_machine(context, live_server.url, outside)
    page = context.new_page()
    page.set_default_timeout(15_000)
    # the one 400 is the form sent back with its errors on purpose (the browser logs that status)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "status of 400" not in m.text else None)
    yield page
    context.close()
    assert outside == [], f"requests left the machine: {outside}"
    assert problems == [], problems


def shot(page, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"awareness-{name}.png"), full_page=True)


def test_education_and_awareness_pages_at_360px(phone, live_server, case_manager, supervisor):
    case_manager.first_name, case_manager.last_name = "Dewi", "Lestari"
    case_manager.save(update_fields=["first_name", "last_name"])
    article = services.article_create(actor=case_manager, data={
        "slug": "kenali-grooming-daring", "title_id": "Kenali grooming daring di media sosial",
        "summary_id": "Tanda-tanda dan apa yang bisa dilakukan.", "order": 1,
        "body_id": "<h2>Tanda-tanda</h2><ul><li>Perhatian berlebihan</li><li>Minta rahasia</li></ul>"
                   "<p>Lapor ke <a href='tel:129'>SAPA 129</a>.</p><script>alert(1)</script>"})
    services.article_image_add(actor=case_manager, article=article, data=jpeg_with_gps(), alt_id="Poster SAPA 129")
    services.article_submit(actor=case_manager, article=article)
    services.article_publish(actor=supervisor, article=article)
    village = Region.objects.filter(code__startswith="36.73.01.", level=4).first()
    event = services.event_create(actor=case_manager, data={
        "title": "Aman bermedia sosial", "topic": "online_grooming", "audiences": ["students"],
        "held_on": dt.date(2025, 9, 1), "venue": "SMPN 1", "kelurahan": village, "notes": "",
        "female_child": 20, "male_child": 18, "female_adult": 2, "male_adult": 1, "female_older": 0, "male_older": 0,
        "participants_total": 41})

    page = phone
    base = live_server.url
    for name, path in (("home", "/"), ("list", "/edukasi/"), ("article", "/edukasi/kenali-grooming-daring/")):
        page.goto(base + path)
        first = page.evaluate("document.body.querySelector('a,button,input').id")
        assert first == "quick-exit", name
        box = page.locator("#quick-exit").bounding_box()
        assert box and box["y"] < 80 and box["width"] >= 44 and box["height"] >= 30
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name  # no sideways scrolling
        assert serious_violations(page) == [], name
        shot(page, name)
    assert page.locator("article h1").inner_text() == "Kenali grooming daring di media sosial"
    assert page.locator("article img").evaluate("i => i.complete && i.naturalWidth") == 64
    assert page.evaluate("typeof window.__xss") == "undefined" and "alert(1)" not in page.content()

    client = verified_client(supervisor)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": base}])
    for name, path in (("staff-events", "/staf/edukasi/"), ("staff-event-form", "/staf/edukasi/kegiatan/baru/"),
                       ("staff-event", f"/staf/edukasi/kegiatan/{event.pk}/"),
                       ("staff-article", f"/staf/edukasi/artikel/{article.pk}/"),
                       ("staff-planning", "/staf/edukasi/rencana-kunjungan/")):
        page.goto(base + path)
        assert serious_violations(page) == [], name
        shot(page, name)
    # the attendance check in the browser: the server answers in Indonesian and keeps what was typed
    page.goto(base + "/staf/edukasi/kegiatan/baru/")
    page.fill("#id_title", "Kelas orang tua")
    page.select_option("#id_topic", "economic_stress")
    page.check("input[name=audiences][value=parents]")
    page.fill("#id_held_on", "2025-10-01")
    page.fill("#id_venue", "Posyandu Melati")
    page.select_option("#id_kelurahan", village.code)
    page.fill("#id_female_adult", "12")
    page.fill("#id_participants_total", "15")
    navigate(page, page.locator("button[type=submit].primary"))
    assert "tidak sama dengan jumlah menurut jenis kelamin dan umur" in page.locator("#ringkasan-kesalahan").inner_text()
    assert page.input_value("#id_venue") == "Posyandu Melati"
    assert serious_violations(page) == []
    shot(page, "staff-event-error")
    page.fill("#id_participants_total", "12")
    navigate(page, page.locator("button[type=submit].primary"))
    assert page.locator("h1").inner_text() == "Kelas orang tua"


def test_planning_page_on_a_phone(live_server, settings, browser, case_manager, partner_psychologist):
    """The coordinator's phone: the first 10 rows, a kecamatan filter, a name search and "show all" through a
    plain GET form (the page has no script at all); the section tabs are styled tabs with the current one marked; the
    page prints as a table without menus or filters; partners still see "<5"; axe finds nothing serious."""
    base = live_server.url
    serang_villages = Region.objects.filter(code__startswith="36.73.01.", level=4).count()
    all_villages = Region.objects.filter(code__startswith="36.73.", level=4).count()
    partner = verified_client(partner_psychologist)
    context = browser.new_context(locale="id-ID", viewport={"width": 360, "height": 740})
    outside: list[str] = []
    keep_on_this_machine(context, base, outside)
    client = verified_client(case_manager)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(base + "/staf/edukasi/rencana-kunjungan/")
    assert page.locator("table.planning tbody tr").count() == 10
    assert page.locator("script").count() == 0  # filters, search and "show all" need no JavaScript
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    current = page.locator("nav.subnav a[aria-current=page]")
    assert current.inner_text() == "Rencana kunjungan"
    assert current.evaluate("a => getComputedStyle(a).backgroundColor") == "rgb(59, 42, 90)"  # filled, not a plain link
    other = page.locator("nav.subnav a", has_text="Sosialisasi").first
    assert other.evaluate("a => a.getBoundingClientRect().height") >= 44  # a finger-sized target
    assert other.evaluate("a => getComputedStyle(a).textDecorationLine") == "none"
    assert serious_violations(page) == []
    shot(page, "planning-360")
    page.select_option("#id_kecamatan", "36.73.01")  # Serang: 12 kelurahan
    page.click("button[type=submit].primary")
    assert "kecamatan=36.73.01" in page.url
    serang = page.locator("table.planning tbody th.place").all_inner_texts()
    assert len(serang) == 10 and all(t.endswith("· Serang") for t in serang)
    page.click("text=Tampilkan semua")
    assert page.locator("table.planning tbody tr").count() == serang_villages > 10
    page.fill("#id_q", "kasemen")
    page.select_option("#id_kecamatan", "")
    page.click("button[type=submit].primary")
    names = page.locator("table.planning tbody th.place").all_inner_texts()
    assert names and all("kasemen" in n.split("·")[0].lower() for n in names)
    assert serious_violations(page) == []
    page.emulate_media(media="print")
    assert page.locator("form.planning-filter").is_hidden() and page.locator("nav.subnav").is_hidden()
    assert page.locator("table.planning thead").evaluate("t => getComputedStyle(t).display") == "table-header-group"
    assert page.locator("footer.foot").is_visible()  # the confidentiality notice is printed
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(base + "/staf/edukasi/rencana-kunjungan/")
    assert page.locator("table.planning thead").is_visible()
    assert serious_violations(page) == []
    shot(page, "planning-1366")
    # a partner on the same page: the same filters, small counts still hidden
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": partner.cookies[settings.SESSION_COOKIE_NAME].value, "url": base}])
    page.goto(base + "/staf/edukasi/rencana-kunjungan/?semua=1")
    assert page.locator("table.planning tbody tr").count() == all_villages
    assert "Skor" not in page.locator("table.planning thead").inner_text()
    context.close()
    assert outside == []
