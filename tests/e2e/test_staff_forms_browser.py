"""Headless Chromium: staff forms that cannot mislead (issue 10 item 12, staff parts). Each checkbox sits
directly before its own label on its own line; high-risk items carry ⚠; after a failed submit focus moves to
the error summary, whose links focus the control; a risk item ticked by its visible label is what is stored."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from salingsapa.cases import services as case_services
from salingsapa.cases.models import RiskAssessment
from salingsapa.cases.risk import ALL_ITEMS
from tests.casework_helpers import make_report, totp_device
from tests.e2e.conftest import BROWSER
from tests.e2e.forms import navigate
from tests.e2e.test_case_flow_browser import sign_in
from tests.e2e.test_public_report_browser import serious_violations

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ["SALINGSAPA_SCREENSHOTS"]) if os.environ.get("SALINGSAPA_SCREENSHOTS") else None

# For every checkbox of a form: its own label (label[for=id]) must start right after it, on the same line,
# and no other label may sit between the box and its text.
CHECK_LAYOUT = """form => [...form.querySelectorAll('input[type=checkbox]')].map(box => {
  const label = form.querySelector(`label[for="${box.id}"]`);
  if (!label) return {id: box.id, problem: 'no label'};
  const b = box.getBoundingClientRect(), l = label.getClientRects()[0];
  if (label.contains(box)) {  // <label><input> text</label>: the box must open the label
    return (b.left - l.left < 6 && label.firstElementChild === box) ? null : {id: box.id, problem: 'box inside, not first'};
  }
  const sameLine = l.top < b.bottom && l.bottom > b.top;
  const after = l.left >= b.right - 1 && l.left - b.right < 40;
  const others = [...form.querySelectorAll('label')].filter(o => o !== label).some(o => {
    const r = o.getClientRects()[0];
    return r && r.top < b.bottom && r.bottom > b.top && r.left >= b.right - 1 && r.right <= l.left + 1;
  });
  return (sameLine && after && !others) ? null : {id: box.id, sameLine, after, others};
}).filter(Boolean)"""


def _layout_problems(page, selector: str = "main form.stack") -> list:
    return page.locator(selector).evaluate(CHECK_LAYOUT)


def test_risk_item_ticked_by_its_label_is_what_is_stored(live_server, browser, case_manager):
    case = case_services.case_open(actor=case_manager, report=make_report(), case_manager=case_manager)
    totp_device(case_manager)
    page = sign_in(browser, live_server.url, case_manager)
    page.goto(f"{live_server.url}/staf/kasus/{case.pk}/asesmen-risiko/")
    violations = serious_violations(page)
    for width in (360, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        assert _layout_problems(page) == [], width
        if SHOTS:
            page.screenshot(path=str(SHOTS / f"risk-form-{width}.png"), full_page=True)
    # every high-risk (red-flag) item, and only those, is marked ⚠ as the hint promises
    flagged = page.locator("main form label:has(.flag)").all_inner_texts()
    assert len(flagged) == sum(1 for i in ALL_ITEMS if i.red_flag) and all(t.startswith("⚠") for t in flagged)
    assert "⚠" in page.locator("#petunjuk-butir").inner_text()

    page.get_by_label("Pelaku pernah mengancam akan membunuh korban, anak, atau orang lain").check()
    page.get_by_label("Penilaian profesional (bila berbeda dari hasil hitungan)").select_option("medium")
    navigate(page, page.get_by_role("button", name="Simpan asesmen"))
    # failed: the summary has focus, its link focuses the control itself (autofocus lands after parsing: expect waits)
    summary = page.locator("#ringkasan-kesalahan")
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_override_reason")).to_be_focused()
    violations += serious_violations(page)
    assert page.get_by_label("Pelaku pernah mengancam akan membunuh korban, anak, atau orang lain").is_checked()
    page.get_by_label("Penilaian profesional (bila berbeda dari hasil hitungan)").select_option("")
    navigate(page, page.get_by_role("button", name="Simpan asesmen"))
    page.get_by_text("Asesmen risiko disimpan: Tinggi.").wait_for()
    answers = RiskAssessment.objects.get(case=case).answers
    assert [k for k, v in answers.items() if v] == ["threats_to_kill"]
    assert violations == [], "\n".join(violations)


def test_staff_intake_checkboxes_sit_before_their_own_labels(live_server, browser, intake_officer):
    totp_device(intake_officer)
    page = sign_in(browser, live_server.url, intake_officer)
    page.goto(f"{live_server.url}/staf/pengaduan/baru/")
    for width in (360, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        assert _layout_problems(page) == [], width
        if SHOTS:
            page.screenshot(path=str(SHOTS / f"intake-form-{width}.png"), full_page=True)
    for label in ("Darurat (perlu tindakan segera)", "Setuju dihubungi petugas"):
        assert page.get_by_label(label).get_attribute("type") == "checkbox"
    group = page.get_by_role("group", name="Bentuk kekerasan")
    described = group.get_attribute("aria-describedby")
    assert described and page.locator(f"#{described.split()[0]}").inner_text().strip()
    navigate(page, page.get_by_role("button", name="Simpan pengaduan"))
    expect(page.locator("#ringkasan-kesalahan")).to_be_focused()
    page.locator("#ringkasan-kesalahan").get_by_role("link", name="Bentuk kekerasan").click()
    expect(page.locator("#id_violence_forms_0")).to_be_focused()
    assert "id_violence_forms_error" in (group.get_attribute("aria-describedby") or "")
    violations = serious_violations(page)
    assert violations == [], "\n".join(violations)
