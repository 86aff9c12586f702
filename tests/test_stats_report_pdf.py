"""Monthly and annual PDF reports: command and dashboard download."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from salingsapa.core.models import AuditEvent
from salingsapa.stats.reports import parse_period, render_report_html
from tests.casework_helpers import verified_client
from tests.stats_fixtures import KASEMEN_1, make_case, wib


@pytest.fixture
def some_cases(uptd):
    for day in range(1, 8):
        make_case(uptd, wib(2025, 10, day))
    make_case(uptd, wib(2025, 10, 9), forms=("fisik",), kelurahan=KASEMEN_1)
    make_case(uptd, wib(2024, 10, 9))
    make_case(uptd, wib(2025, 3, 9))


def _pdf_text(pdf: bytes) -> str:
    """Text of a PDF via pdftotext when present (poppler-utils), else empty."""
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        return ""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode()


def test_parse_period():
    assert parse_period("2025")[0] == "annual"
    kind, flt = parse_period("2025-10")
    assert kind == "monthly" and flt.label() == "Oktober 2025"
    for bad in ("2025-13", "25-10", "oktober", "", "2025-1"):
        with pytest.raises(ValueError):
            parse_period(bad)


def test_monthly_report_content(some_cases):
    kind, flt = parse_period("2025-10")
    html = render_report_html(kind, flt)
    assert "Laporan Bulanan" in html and "Oktober 2025" in html and "Oktober 2024" in html
    assert "Sejak awal tahun (Jan–Okt 2025): <strong>9</strong> kasus, dibandingkan 1 kasus" in html
    assert "Bentuk kekerasan terbanyak: <strong>seksual</strong> (7 kasus)" in html
    assert html.count("<svg") >= 5
    assert "SRG-2025" not in html


def test_command_writes_monthly_and_annual_pdf(some_cases, tmp_path):
    out = tmp_path / "bulan.pdf"
    buf = io.StringIO()
    call_command("stats_report", "--month", "2025-10", "--output", str(out), stdout=buf)
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    text = _pdf_text(pdf)
    if text:
        assert "Laporan Bulanan" in text and "Oktober 2025" in text
    year = tmp_path / "tahun.pdf"
    call_command("stats_report", "--year", "2025", "--output", str(year), stdout=io.StringIO())
    assert year.read_bytes().startswith(b"%PDF")
    text = _pdf_text(year.read_bytes())
    if text:
        assert "Laporan Tahunan" in text
    assert AuditEvent.objects.filter(action="export", object_type="stats.report").count() == 2


def test_command_refuses_bad_period():
    with pytest.raises(CommandError):
        call_command("stats_report", "--month", "2025", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("stats_report", "--year", "dua ribu", stdout=io.StringIO())


def test_dashboard_download(client, some_cases, supervisor, partner_psychologist):
    url = reverse("stats:report_pdf")
    client = verified_client(partner_psychologist)
    assert client.get(url, {"period": "2025-10"}).status_code == 403
    client = verified_client(supervisor)
    r = client.get(url, {"period": "2025-10"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert 'filename="laporan-bulanan-2025-10.pdf"' in r["Content-Disposition"]
    assert r.content.startswith(b"%PDF")
    bad = client.get(url, {"period": "bulan lalu"})
    assert bad.status_code == 302
