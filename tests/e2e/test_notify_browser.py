"""Headless Chromium: the outbound-message pages (issue 12) at 360 and 1366 px — the list, the
notification preference, the do-not-contact section of a report page — without serious axe
violations and without sideways scrolling of the page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from salingsapa.notify.models import OutboundMessage
from salingsapa.notify.services import message_queue, whatsapp_text
from tests.casework_helpers import make_report, totp_device
from tests.e2e.conftest import BROWSER
from tests.e2e.forms import navigate
from tests.e2e.test_case_flow_browser import sign_in
from tests.e2e.test_public_report_browser import serious_violations

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ["SALINGSAPA_SCREENSHOTS"]) if os.environ.get("SALINGSAPA_SCREENSHOTS") else None


def _check(page, name: str) -> None:
    assert serious_violations(page) == [], name
    for width in (360, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (name, width, overflow)
        if SHOTS:
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def test_outbound_pages_in_the_browser(live_server, browser, supervisor):
    report = make_report(contact_phone="0812-7777-6543", preferred_channel="whatsapp", consent_contact=True)
    for n in range(3):
        message = message_queue(channel="whatsapp", address="0812-3456-7123", content=whatsapp_text(f"Halo {n}"),
                                purpose="reporter_notice", reference=report.reference)
    OutboundMessage.objects.filter(pk=message.pk).update(status="failed", attempts=8, error_code=130429,
                                                         error_title="(#130429) Rate limit hit")
    totp_device(supervisor)
    page = sign_in(browser, live_server.url, supervisor)
    page.goto(f"{live_server.url}/staf/pesan/")
    assert "+62 8** **** 123" in page.content()
    _check(page, "outbound-list")
    page.goto(f"{live_server.url}/staf/pesan/preferensi/")
    page.get_by_label("Aplikasi + WhatsApp").check()
    navigate(page, page.get_by_role("button", name="Simpan"))  # no number: the error summary, what was chosen kept
    assert page.get_by_label("Aplikasi + WhatsApp").is_checked()
    _check(page, "notify-preferences")
    page.goto(f"{live_server.url}/staf/pengaduan/{report.pk}/")
    page.get_by_label("Ponsel mungkin dipantau? Tandai jangan dihubungi — alasan:").fill("ponsel dipegang pelaku")
    navigate(page, page.get_by_role("button", name="Tandai jangan dihubungi"))
    assert "JANGAN DIHUBUNGI" in page.content()
    _check(page, "report-do-not-contact")
