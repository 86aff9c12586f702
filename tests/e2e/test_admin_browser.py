"""The printed demo admin login works in a real browser — through the staff sign-in with its second
factor (issue 9 finding 1) — and the admin switches language."""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django_otp.oath import totp

from salingsapa.accounts.models import AuthenticatorDevice
from salingsapa.demo import seed as demo
from tests.e2e.conftest import BROWSER, launch_chromium

SHOTS = Path(os.environ.get("SALINGSAPA_SCREENSHOTS", "/tmp/salingsapa-screenshots"))
SHOTS.mkdir(parents=True, exist_ok=True)

pytestmark = BROWSER


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
    code, _left, _enrolled = demo.demo_totp("admin")
    assert code in printed.getvalue()  # demo-logins shows the current second-factor code
    device = AuthenticatorDevice.objects.get(user__username="admin", confirmed=True)
    return password, device.bin_key


def _current_code(key: bytes) -> str:
    return f"{totp(key):06d}"


@pytest.fixture
def browser(admin_password):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = launch_chromium(p)
        yield instance
        instance.close()


def test_demo_admin_signs_in_and_finds_kota_serang(live_server, admin_password, browser, tmp_path):
    password, key = admin_password
    page = browser.new_page(locale="id-ID", extra_http_headers={"Accept-Language": "id"},
                            viewport={"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/admin/")
    # no admin sign-in form: the browser lands on the staff sign-in, which returns to the admin
    page.wait_for_url(f"{live_server.url}/staf/masuk/?next=%2Fadmin%2F")
    assert page.locator("html").get_attribute("lang") == "id"
    page.screenshot(path=str(SHOTS / "admin-door-1-password.png"))
    page.fill("#id_username", "admin")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staf/masuk/verifikasi/")  # the password alone is not enough
    page.goto(f"{live_server.url}/admin/")
    assert "/staf/masuk/" in page.url
    page.goto(f"{live_server.url}/staf/masuk/verifikasi/")
    page.fill("#id_token", _current_code(key))
    page.screenshot(path=str(SHOTS / "admin-door-2-code.png"))
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")  # form POSTs from the browser pass the CSRF checks
    page.screenshot(path=str(SHOTS / "admin-door-3-admin.png"))

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
