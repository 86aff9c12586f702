"""The printed demo admin login works in a real browser, and the admin switches language."""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from salingsapa.demo import seed as demo

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"),
        reason="Chromium is not installed at /usr/bin/chromium (browser tests must run in CI)",
    ),
]


@pytest.fixture
def admin_password(live_server, settings, tmp_path):
    """Seed the demo and return the admin password as ``demo-logins`` prints it (before the browser starts:
    Playwright's event loop makes Django refuse ORM calls in the same thread)."""
    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=StringIO(), verbosity=0)
    printed = StringIO()
    call_command("demo_logins", stdout=printed)
    password = next(row["password"] for row in demo.read_logins() if row["username"] == "admin")
    assert password in printed.getvalue()
    return password


@pytest.fixture
def browser(admin_password):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync",
        ])
        yield instance
        instance.close()


def test_demo_admin_signs_in_and_finds_kota_serang(live_server, admin_password, browser):
    page = browser.new_page(locale="id-ID", extra_http_headers={"Accept-Language": "id"})
    page.goto(f"{live_server.url}/admin/login/")
    assert page.locator("html").get_attribute("lang") == "id"
    page.fill("#id_username", "admin")
    page.fill("#id_password", admin_password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")  # a form POST from the browser passes the CSRF checks

    page.goto(f"{live_server.url}/admin/core/region/?level__exact=3")
    assert "6 wilayah" in page.locator(".paginator").inner_text()
    page.goto(f"{live_server.url}/admin/core/region/?level__exact=4")
    assert "67 wilayah" in page.locator(".paginator").inner_text()
    page.goto(f"{live_server.url}/admin/accounts/organisation/")
    assert "HIMPSI Banten" in page.content()

    page.select_option("#admin-language", "en")
    page.click("form.language-switcher button")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Select organisation to change" in page.content()
