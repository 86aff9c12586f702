"""Public statistics: only approved snapshots, suppressed exactly as on the page; staff dashboard access."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from salingsapa.cases.models import Person
from salingsapa.core.models import AuditEvent
from salingsapa.stats import services
from salingsapa.stats.models import PublishedSnapshot
from salingsapa.stats.selectors import latest_public_snapshot
from salingsapa.stats.suppression import is_small
from tests.casework_helpers import verified_client
from tests.stats_fixtures import KASEMEN_1, SERANG_1, SERANG_2, make_case, wib

PUBLIC = "/statistik/"
API = "/api/v1/stats/public"


@pytest.fixture
def cases_2025(uptd):
    made = []
    for day in range(1, 13):
        made.append(make_case(uptd, wib(2025, 1 + day % 10, day), forms=("seksual",) if day % 3 else ("seksual", "psikis"),
                              kelurahan=SERANG_1 if day % 2 else SERANG_2))
    for day in range(1, 4):
        made.append(make_case(uptd, wib(2025, 3, day), forms=("fisik",), kelurahan=KASEMEN_1,
                              victims=(("male", "6-12"),)))
    made.append(make_case(uptd, wib(2024, 5, 5)))
    Person.objects.filter(pk=made[0].participants.first().person_id).update(full_name="Siti Rahasia")
    return made


def _prepare(user):
    import datetime as dt

    return services.snapshot_prepare(user=user, start=dt.date(2025, 1, 1), end=dt.date(2025, 10, 31))


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells, self._in = [], False

    def handle_starttag(self, tag, attrs):
        self._in = tag == "td"
        if self._in:
            self.cells.append("")

    def handle_endtag(self, tag):
        if tag == "td":
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.cells[-1] += data.strip()


def _expected_cells(data):
    out = []
    for t in data["tables"]:
        if t["withheld"]:
            continue
        if "columns" in t:
            for cells, total in zip(t["cells"], t["row_totals"], strict=True):
                out += [*cells, total]
            out += [*t["column_totals"], t["total"]]
        else:
            out += [*t["values"], t["total"]]
    return [str(v) for v in out]


def test_unapproved_snapshot_is_not_public(client, cases_2025, case_manager):
    snap = _prepare(case_manager)
    assert not snap.is_public
    assert latest_public_snapshot() is None
    page = client.get(PUBLIC)
    assert page.status_code == 200 and "Belum ada statistik yang dipublikasikan" in page.content.decode()
    assert client.get(API).status_code == 404
    assert client.get(f"{PUBLIC}?periode={snap.pk}").status_code == 404
    assert client.get(f"{API}?periode={snap.pk}").status_code == 404


def test_only_a_supervisor_approves(client, cases_2025, case_manager, supervisor):
    snap = _prepare(case_manager)
    client = verified_client(case_manager)
    url = reverse("stats:snapshot_approve", args=[snap.pk])
    assert client.post(url).status_code == 403
    snap.refresh_from_db()
    assert snap.approved_at is None
    assert AuditEvent.objects.filter(action="denied", object_type="stats.snapshot").exists()
    client = verified_client(supervisor)
    assert client.post(url).status_code == 302
    snap.refresh_from_db()
    assert snap.is_public and snap.approved_by == supervisor
    # and withdrawing takes it off the public page again
    client.post(url, {"action": "withdraw"})
    assert latest_public_snapshot() is None


def test_public_page_and_api_are_suppressed_identically(client, cases_2025, case_manager, supervisor):
    snap = _prepare(case_manager)
    services.snapshot_approve(user=supervisor, snapshot=snap)
    api = client.get(API)
    assert api.status_code == 200 and api["Content-Type"].startswith("application/json")
    data = api.json()
    assert data["id"] == snap.pk and data["period"]["label"] == "Jan–Okt 2025"
    assert data["headline"] == {"cases": 15, "cases_previous": "<5", "victims": 15}
    assert data["tables"] == json.loads(json.dumps(snap.data["tables"]))
    # nothing published is a count of 1–4
    for t in data["tables"]:
        values = t.get("values", []) + [c for row in t.get("cells", []) for c in row]
        values += t.get("row_totals", []) + t.get("column_totals", []) + [t["total"]]
        assert not any(isinstance(v, int) and is_small(v) for v in values), t["key"]
    assert any("<5" in t.get("values", []) for t in data["tables"])
    page = client.get(PUBLIC)
    html = page.content.decode()
    parser = _Cells()
    parser.feed(html)
    assert parser.cells == _expected_cells(data)
    # a public page: no staff template, no personal data, accessible basics
    assert "stats/staff_base.html" not in [t.name for t in page.templates]
    assert "Siti Rahasia" not in html and "SRG-2025" not in html and "Siti Rahasia" not in api.content.decode()
    assert '<html lang="id">' in html and "<main" in html and "<caption>" in html and 'scope="col"' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == [] and "style=" not in html  # CSP: no inline code
    assert "Keluar cepat" in html  # inside the public site's frame, with its quick exit
    assert "no-store" in page["Cache-Control"]


def test_kelurahan_table_has_totals_only(cases_2025, supervisor):
    snap = _prepare(supervisor)
    tables = {t["key"]: t for t in snap.data["tables"]}
    assert "columns" not in tables["kelurahan"]
    # forms are broken down by kecamatan only, and rare forms are merged
    kf = tables["kecamatan_form"]
    assert [c["key"] for c in kf["columns"]][-1] == "_digabung" or kf["withheld"]
    assert not any(c["key"] in {"trafficking", "eksploitasi"} for c in kf.get("columns", []))


def test_previously_approved_periods_are_listed(client, cases_2025, case_manager, supervisor):
    import datetime as dt

    old = services.snapshot_prepare(user=case_manager, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    services.snapshot_approve(user=supervisor, snapshot=old)
    new = services.snapshot_prepare(user=case_manager, start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    services.snapshot_approve(user=supervisor, snapshot=new)
    html = client.get(PUBLIC).content.decode()
    assert "Periode: 2025" in html and f"?periode={new.pk}" in html
    assert client.get(f"{API}?periode={new.pk}").json()["period"]["label"] == "2024"
    assert PublishedSnapshot.objects.count() == 2


# --- staff dashboard ----------------------------------------------------------------------------


def test_dashboard_requires_lead_agency_staff(client, cases_2025, partner_psychologist, media_partner, supervisor):
    url = reverse("stats:dashboard")
    anon = client.get(url)
    assert anon.status_code == 302 and "/staf/masuk/" in anon["Location"]
    client.force_login(supervisor)  # password only, no second factor yet
    assert client.get(url).status_code == 302
    for user in (partner_psychologist, media_partner):
        client = verified_client(user)
        assert client.get(url).status_code == 403


def test_dashboard_shows_charts_tables_and_comparison(client, cases_2025, case_manager):
    client = verified_client(case_manager)
    r = client.get(reverse("stats:dashboard"), {"start": "2025-01-01", "end": "2025-10-31"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Jan–Okt 2025 dibandingkan Jan–Okt 2024" in html
    assert html.count('role="img"') >= 5 and html.count("<table") >= html.count('role="img"')
    assert "<script" not in html and "style=" not in html
    assert r.context["s"].cases == 15 and r.context["s"].cases_previous == 1


def test_dashboard_scoped_to_own_office(client, cases_2025, outsider):
    client = verified_client(outsider)  # another UPTD's staff see their own (empty) numbers, not ours
    r = client.get(reverse("stats:dashboard"), {"start": "2025-01-01", "end": "2025-10-31"})
    assert r.status_code == 200 and r.context["s"].cases == 0


def test_dashboard_filters(client, cases_2025, supervisor):
    client = verified_client(supervisor)
    r = client.get(reverse("stats:dashboard"), {"start": "2025-01-01", "end": "2025-10-31", "form": "fisik"})
    assert r.context["s"].cases == 3
    r = client.get(reverse("stats:dashboard"), {"start": "2025-01-01", "end": "2025-10-31", "area": "36.73.02"})
    assert r.context["s"].cases == 3
    r = client.get(reverse("stats:dashboard"), {"start": "2025-01-01", "end": "2025-10-31", "age_group": "6-12"})
    assert r.context["s"].cases == 3


@pytest.mark.parametrize("params", [{"start": "kemarin"}, {"start": "2025-05-01", "end": "2025-01-01"},
                                    {"form": "<script>"}, {"area": "99.99"}])
def test_dashboard_bad_filters_give_a_message_not_an_error(client, cases_2025, supervisor, params):
    client = verified_client(supervisor)
    r = client.get(reverse("stats:dashboard"), params)
    assert r.status_code == 200
    html = r.content.decode()
    assert "Saringan tidak valid" in html and 'class="errorlist"' in html
    assert "<script" not in html


def test_dashboard_cache_sees_every_change(client, cases_2025, supervisor, uptd):
    from django.db.models import F

    from salingsapa.cases.models import Case
    from salingsapa.core.events import Event, publish

    client = verified_client(supervisor)
    params = {"start": "2025-01-01", "end": "2025-10-31"}
    assert client.get(reverse("stats:dashboard"), params).context["s"].cases == 15
    make_case(uptd, wib(2025, 4, 4))
    assert client.get(reverse("stats:dashboard"), params).context["s"].cases == 16
    case = Case.objects.order_by("-pk").first()
    case.status = "closed"
    case.closed_at = wib(2025, 4, 10)
    case.save()
    publish(Event.COUNTED_DATA_CHANGED)  # what every cases service does (cases.services._event)
    assert client.get(reverse("stats:dashboard"), params).context["s"].closure.closed == 1
    Case.objects.filter(pk=case.pk).update(reported_at=wib(2023, 1, 1), version=F("version") + 1)  # no signal
    # a raw update is only seen after STATS_CACHE_SECONDS; with the cache off it is seen at once
    from django.test import override_settings

    with override_settings(STATS_CACHE_SECONDS=0):
        assert client.get(reverse("stats:dashboard"), params).context["s"].cases == 15


def test_dashboard_reports_are_scoped_like_reports_for(client, supervisor):
    from salingsapa.core.models import Region
    from tests.stats_fixtures import make_report

    Region.objects.get_or_create(code="36.04.01.2001", defaults={"name": "Desa Lain", "level": 4})
    make_report(wib(2025, 2, 1))  # Kota Serang
    make_report(wib(2025, 2, 2), kelurahan=None)  # no kelurahan: the home region's agency
    make_report(wib(2025, 2, 3), kelurahan="36.04.01.2001")  # Kabupaten Serang: another agency's area
    client = verified_client(supervisor)
    r = client.get(reverse("stats:dashboard"), {"start": "2025-01-01", "end": "2025-10-31"})
    assert r.context["s"].reports == 2


@pytest.mark.parametrize("value", ["%C2%B2", "%D9%A3", "abc", "1.5", "-1", "%00", "9" * 40])
def test_public_page_bad_period_is_a_400_with_a_message(client, cases_2025, case_manager, supervisor, value):
    """``?periode=²`` passed str.isdigit() and crashed int() with a 500 (issue 9 item 7)."""
    snap = _prepare(case_manager)
    services.snapshot_approve(user=supervisor, snapshot=snap)
    r = client.get(f"{PUBLIC}?periode={value}")
    assert r.status_code == 400
    html = r.content.decode()
    if value == "%00":  # refused before any view by the forbidden-characters guard (public/middleware.py)
        assert "tidak diizinkan" in html and "Keluar cepat" in html
    else:
        assert "Periode tidak dikenal" in html and f"?periode={snap.pk}" in html and "Keluar cepat" in html
    api = client.get(f"{API}?periode={value}")
    assert 400 <= api.status_code < 500


def test_public_page_unknown_period_is_a_404(client, cases_2025):
    assert client.get(f"{PUBLIC}?periode=999999").status_code == 404


def _contrast(hex_colour: str) -> float:
    def channel(x: float) -> float:
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(hex_colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_chart_series_differ_without_colour_and_have_contrast():
    """Issue 10 item 12: the orange comparison bars had 2.1:1 and differed only by colour."""
    from salingsapa.stats import charts

    assert _contrast(charts.CURRENT) >= 3 and _contrast(charts.PREVIOUS) >= 3
    svg = str(charts.bar_chart("t", [("a", 5), ("b", 7)], previous=[3, 9], legend=("2025", "2024")))
    assert "<pattern" in svg and 'fill="url(#' in svg  # hatched comparison bars and legend swatch
    assert ">3<" in svg and ">9<" in svg  # every bar carries its value as text
    col = str(charts.column_chart("t", [("Jan", 5)], previous=[3], legend=("2025", "2024")))
    assert "<pattern" in col and 'fill="url(#' in col
