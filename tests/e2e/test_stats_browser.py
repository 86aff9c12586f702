"""Statistics pages in real headless Chromium: no console/CSP errors, no serious axe violations."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from salingsapa.stats import services
from tests.e2e.conftest import BROWSER, launch_chromium
from tests.e2e.forms import navigate
from tests.stats_fixtures import KASEMEN_1, make_case, wib

pytestmark = BROWSER


@pytest.fixture
def browser_page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as p:
        browser = launch_chromium(p)
        # a phone whose browser asks for Bahasa Indonesia (the users' language; English is tested apart)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
        yield context
        browser.close()


def _serious(results: dict) -> list[str]:
    return [v["id"] for v in results["violations"] if v.get("impact") in ("serious", "critical")]


@pytest.mark.django_db(transaction=True)
def test_public_and_staff_pages_in_chromium(live_server, browser_page, uptd, case_manager, supervisor):
    from axe_playwright_python.sync_playwright import Axe
    from django.conf import settings

    from tests.casework_helpers import verified_client

    for day in range(1, 10):
        make_case(uptd, wib(2025, 1 + day % 9, day))
    for day in range(1, 7):
        make_case(uptd, wib(2025, 3, day), forms=("fisik",), kelurahan=KASEMEN_1)
    snap = services.snapshot_prepare(user=case_manager, start=dt.date(2025, 1, 1), end=dt.date(2025, 10, 31))
    services.snapshot_approve(user=supervisor, snapshot=snap)

    errors: list[str] = []
    page = browser_page.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/statistik/")
    assert page.locator("h1").inner_text().startswith("Statistik kekerasan")
    assert page.locator("table").count() >= 8
    assert _serious(Axe().run(page).response) == []

    client = verified_client(supervisor)
    browser_page.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
    page.goto(live_server.url + "/staf/statistik/?start=2025-01-01&end=2025-10-31")
    assert "dibandingkan" in page.locator(".period").first.inner_text()
    assert page.locator("svg[role=img]").count() >= 5
    assert _serious(Axe().run(page).response) == []
    page.click(".filter-box summary")
    page.select_option("#id_form", "fisik")
    navigate(page, page.locator(".filters button[type=submit]"))
    assert "form=fisik" in page.url
    assert page.locator(".headline dd").first.inner_text() == "6"
    assert [e for e in errors if "favicon" not in e and "404" not in e] == []


SHOTS = os.environ.get("SALINGSAPA_SCREENSHOTS", "")


@pytest.mark.django_db(transaction=True)
def test_dashboard_first_view_and_public_charts_on_a_phone(live_server, browser_page):
    """Issue 10 item 9: at 1366×768 the first view holds the key figures and six charts; public chart
    labels are legible at 360 px (they were ≈ 6 px); the comparison series is hatched, not only coloured."""
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command

    from salingsapa.accounts.models import User
    from tests.casework_helpers import verified_client

    call_command("seed_demo", stdout=StringIO(), verbosity=0)  # publishes Jan–Okt 2025 too
    client = verified_client(User.objects.get(username="supervisor"))
    browser_page.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    page = browser_page.new_page()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(live_server.url + "/staf/statistik/?start=2025-01-01&end=2025-10-31")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/dashboard-1366.png")
    figures = page.locator(".key-figures > div")
    assert figures.count() == 6
    charts = page.locator(".glance figure")
    assert charts.count() == 6
    for i in range(6):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 768, (i, box)
    for i in range(6):
        box = figures.nth(i).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 768
    # details are further down, reachable from the tab list
    assert page.locator(".detail-tabs a[href='#sec-violence_form']").count() == 1
    assert page.locator("section[aria-labelledby='sec-violence_form'] table").count() == 1
    # the comparison series is a pattern (hatched), not only a colour
    assert page.locator(".glance svg pattern").count() >= 3

    phone = browser_page.new_page()
    phone.set_viewport_size({"width": 360, "height": 780})
    phone.goto(live_server.url + "/statistik/")
    if SHOTS:
        phone.screenshot(path=f"{SHOTS}/public-360.png")
        phone.locator("figure").first.screenshot(path=f"{SHOTS}/public-360-chart.png")
    text = phone.locator("figure svg text").first
    box = text.bounding_box()
    assert box is not None and box["height"] >= 11, box  # ≈ 6 px before
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    if SHOTS:
        page.set_viewport_size({"width": 360, "height": 780})
        page.screenshot(path=f"{SHOTS}/dashboard-360.png")


_TABLES = """() => [...document.querySelectorAll('.stats table')].map(t => {
  const wrap = t.closest('.scroll');
  const w = wrap && wrap.getBoundingClientRect();
  return {caption: t.caption ? t.caption.textContent.trim() : '', right: t.getBoundingClientRect().right,
          wrap: wrap && {right: w.right, tabindex: wrap.getAttribute('tabindex'), role: wrap.getAttribute('role'),
                         named: !!(wrap.getAttribute('aria-labelledby') || wrap.getAttribute('aria-label')),
                         overflows: wrap.scrollWidth > wrap.clientWidth}};
})"""


@pytest.mark.django_db(transaction=True)
def test_dashboard_tables_fit_a_360_px_phone(live_server, browser_page):
    """The dashboard with demo data never scrolls sideways as a page at 360 px: a table wider than the
    screen scrolls inside its own named, keyboard-reachable region, with a shadow cue at the edge that
    hides more columns and its row labels (first column) kept in view while it scrolls."""
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command

    from salingsapa.accounts.models import User
    from tests.casework_helpers import verified_client

    call_command("seed_demo", stdout=StringIO(), verbosity=0)
    client = verified_client(User.objects.get(username="supervisor"))
    browser_page.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    page = browser_page.new_page()
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(live_server.url + "/staf/statistik/?start=2025-01-01&end=2025-10-31", wait_until="load")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/dashboard-360-full.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    tables = page.evaluate(_TABLES)
    assert len(tables) >= 10
    for t in tables:
        if t["right"] > 360:  # wider than the screen: only inside its own scroll region, which fits
            wrap = t["wrap"]
            assert wrap is not None, t["caption"]
            assert wrap["right"] <= 360 and wrap["tabindex"] == "0" and wrap["role"] == "region" and wrap["named"], t
    overflowing = [t for t in tables if t["wrap"] and t["wrap"]["overflows"]]
    assert overflowing, "the 8-column service tables are wider than 360 px in demo data"
    region = page.locator("section[aria-labelledby='ref-h'] .scroll").first
    assert "gradient" in region.evaluate("r => getComputedStyle(r).backgroundImage")  # the edge shadow cue
    row_label = region.locator("tbody th").first
    before = row_label.bounding_box()
    region.evaluate("r => { r.scrollLeft = 400; }")
    page.wait_for_function("r => r.scrollLeft > 0", arg=region.element_handle())
    after = row_label.bounding_box()
    assert before is not None and after is not None and abs(after["x"] - before["x"]) < 1, (before, after)
    if SHOTS:
        region.screenshot(path=f"{SHOTS}/dashboard-360-referrals-scrolled.png")
    # the desktop view keeps the plain tables: nothing scrolls at 1366 px
    page.set_viewport_size({"width": 1366, "height": 768})
    # the small charts' row labels are not cut at the left edge, and the deadline rows are told apart
    cut = page.evaluate("""() => [...document.querySelectorAll('.glance svg text')]
        .filter(t => t.getBBox().x < 0).map(t => t.textContent)""")
    assert cut == []
    deadline_labels = page.locator(".glance figure").nth(4).locator("text[text-anchor=end]").evaluate_all(
        "ts => ts.map(t => t.textContent)")
    assert len(deadline_labels) == len(set(deadline_labels)) >= 3, deadline_labels
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/dashboard-1366-full.png", full_page=True)
    assert not [t for t in page.evaluate(_TABLES) if t["wrap"] and t["wrap"]["overflows"]]
