"""Statistics pages in real headless Chromium: no console/CSP errors, no serious axe violations."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from salingsapa.stats import services
from tests.e2e.conftest import BROWSER, launch_chromium
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
    page.click(".filters button[type=submit]")
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
