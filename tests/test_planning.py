"""Where to go next (issue 13 item 4): kelurahan ranked by recent reports and cases, open high-risk cases,
awareness events and time since the last visit, with reasons; counts below 5 never shown outside the lead agency."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from salingsapa.awareness import services as awareness
from salingsapa.cases import services as case_services
from salingsapa.cases.models import Case
from salingsapa.core.models import AuditEvent, Region
from salingsapa.outreach.models import Visit
from salingsapa.stats import planning
from tests.casework_helpers import make_report, verified_client

pytestmark = pytest.mark.django_db


def villages(prefix: str) -> list[Region]:
    return list(Region.objects.filter(code__startswith=prefix + ".", level=4).order_by("code"))


def visit(kelurahan: Region, date: dt.date, status: str = "published") -> Visit:
    return Visit.objects.create(date=date, start_time=dt.time(9), end_time=dt.time(12), kelurahan=kelurahan,
                                venue_kind="sekolah", venue_name="SD", status=status, created_at=timezone.now())


def event(user, kelurahan: Region, held_on: dt.date) -> None:
    awareness.event_create(actor=user, data={
        "title": "Sosialisasi", "topic": "online_grooming", "audiences": ["parents"], "held_on": held_on,
        "venue": "Balai", "kelurahan": kelurahan, "notes": "", "female_child": 0, "male_child": 0,
        "female_adult": 10, "male_adult": 5, "female_older": 0, "male_older": 0, "participants_total": 15})


@pytest.fixture
def world(case_manager, supervisor):
    """Serang: A has 3 reports (one a high-risk case), C has 6 reports; B was visited 10 days ago and had an
    event; everything else is quiet and never visited. Kasemen's first kelurahan, D, has a visit next week."""
    today = timezone.localdate()
    a, b, c = villages("36.73.01")[:3]
    d = villages("36.73.02")[0]
    recent = timezone.now() - dt.timedelta(days=10)
    first = make_report(kelurahan=a, received_at=recent)
    for _ in range(2):
        make_report(kelurahan=a, received_at=recent)
    for _ in range(6):
        make_report(kelurahan=c, received_at=recent)
    make_report(kelurahan=c, received_at=timezone.now() - dt.timedelta(days=200))  # outside 90 days
    make_report(kelurahan=c, received_at=recent, status="not_violence")  # not counted
    case = case_services.case_open(actor=supervisor, report=first, case_manager=case_manager)
    Case.objects.filter(pk=case.pk).update(risk_level="high", kelurahan=a, reported_at=recent)
    visit(b, today - dt.timedelta(days=10))
    visit(b, today - dt.timedelta(days=400))
    visit(c, today - dt.timedelta(days=200))
    visit(d, today + dt.timedelta(days=7))
    visit(a, today - dt.timedelta(days=5), status="cancelled")  # a cancelled visit is no visit
    event(case_manager, b, today - dt.timedelta(days=30))
    return {"a": a, "b": b, "c": c, "d": d, "today": today}


def test_ranking_scores_and_reasons(world):
    rows = {r.code: r for r in planning.planning_rows(today=world["today"])}
    a, b, c, d = (rows[world[k].code] for k in "abcd")
    assert (a.reports, a.cases, a.high_risk_open, a.last_visit) == (3, 1, 1, None)
    assert (c.reports, c.cases, c.high_risk_open) == (6, 0, 0)
    assert b.last_visit == world["today"] - dt.timedelta(days=10) and b.events == 1 and b.days_since_visit == 10
    assert c.days_since_visit == 200 and d.next_visit == world["today"] + dt.timedelta(days=7)
    # Serang's rate (10 reports and cases) is above the city's, so each Serang kelurahan gets +1.
    # A: 3 high-risk + 2 case + 3 reports + 2 no event + 4 never visited + 1 rate = 15
    # C: 6 reports + 2 no event + 2 (200 days since the last visit) + 1 rate = 11
    assert (a.score, c.score) == (15, 11)
    ranked = [r.code for r in planning.planning_rows(today=world["today"])]
    assert ranked[0] == a.code and ranked[1] == c.code
    quiet = rows[villages("36.73.03")[0].code]
    assert quiet.score == 6  # Walantaka: no event, never visited, rate 0
    assert b.score == 1  # visited 10 days ago, an event this year; only Serang's rate
    assert d.score == 3  # Kasemen, rate 0: (2 + 4) halved, a visit is scheduled next week
    assert ranked.index(b.code) == len(ranked) - 1
    text = planning.reasons(a, full=True)
    assert "1 kasus risiko tinggi masih terbuka" in text and "3 pengaduan dalam 90 hari" in text
    assert "belum pernah dikunjungi konseling keliling" in text
    assert "kunjungan terakhir 200 hari lalu" in planning.reasons(c, full=True)
    assert any(r.startswith("kunjungan berikutnya sudah dijadwalkan") for r in planning.reasons(d, full=True))


def test_rates_per_10000_from_the_reference_population(world):
    population = planning.reference_population()
    assert sum(v for k, v in population.items() if len(k) == 8) == 759929  # the six kecamatan
    rows = {r.code: r for r in planning.planning_rows(today=world["today"])}
    a = rows[world["a"].code]
    # no kelurahan figure: the kecamatan's count (3 + 1 + 6 in Serang) over its population
    assert a.population_level == "kecamatan" and a.rate_count == 10
    assert a.rate == round(10 * 10000 / population["36.73.01"], 2)
    Region.objects.filter(code=world["a"].code).update(population=20000)  # a kelurahan figure wins
    a = {r.code: r for r in planning.planning_rows(today=world["today"])}[world["a"].code]
    assert (a.population_level, a.rate_count, a.rate) == ("kelurahan", 4, 2.0)


def test_counts_below_5_are_never_shown_outside_the_lead_agency(world, partner_psychologist, case_manager):
    Region.objects.filter(code=world["a"].code).update(population=20000)  # A's rate rests on 4: hidden from partners
    partner = planning.planning_for(partner_psychologist, today=world["today"])
    lead = planning.planning_for(case_manager, today=world["today"])
    assert not partner["full"] and lead["full"]
    prow = {r["code"]: r for r in partner["rows"]}
    lrow = {r["code"]: r for r in lead["rows"]}
    a, c = world["a"].code, world["c"].code
    assert (prow[a]["reports"], prow[a]["cases"], prow[a]["high_risk_open"]) == ("<5", "<5", "<5")
    assert (lrow[a]["reports"], lrow[a]["cases"], lrow[a]["high_risk_open"]) == ("3", "1", "1")
    assert prow[c]["reports"] == "6"  # 5 and more are shown
    assert prow[a]["rate"] is None and prow[a]["rate_suppressed"] and lrow[a]["rate"] == 2.0
    assert prow[a]["score"] is None and lrow[a]["score"] is not None  # the score would give the counts back
    assert "<5 kasus risiko tinggi masih terbuka" in prow[a]["reasons"]
    assert all(not re.search(r"\b[1-4] (kasus|pengaduan)", reason) for row in partner["rows"] for reason in row["reasons"])
    assert [r["code"] for r in partner["rows"]] == [r["code"] for r in lead["rows"]]


def test_the_page_for_lead_staff_partners_and_others(world, case_manager, partner_psychologist, media_partner):
    url = reverse("awareness:planning")
    lead = verified_client(case_manager).get(url)
    assert lead.status_code == 200
    page = lead.content.decode()
    assert "Skor" in page and world["a"].name.title() in page and "1 kasus risiko tinggi masih terbuka" in page
    assert AuditEvent.objects.filter(action="read", object_type="planning", actor=case_manager).exists()
    part = verified_client(partner_psychologist).get(url)
    assert part.status_code == 200
    ppage = part.content.decode()
    assert "&lt;5" in ppage and "Skor" not in ppage
    row_a = re.search(r"<tr>\s*<td[^>]*>1</td>.*?</tr>", ppage, re.S).group(0)
    assert world["a"].name.title() in row_a
    for label in ("Pengaduan", "Kasus baru", "Risiko tinggi terbuka"):
        assert re.search(rf'data-label="{label}">&lt;5</td>', row_a), label
    assert verified_client(media_partner).get(url).status_code == 403
    bad = verified_client(case_manager).get(url, {"hari": "7"})
    assert bad.status_code == 400 and "Pilih jangka waktu 30, 90, atau 180 hari." in bad.content.decode()
    assert verified_client(case_manager).get(url, {"hari": "30"}).status_code == 200


def test_population_file_sums_to_its_documented_total_and_uses_known_kecamatan_codes():
    path = planning.POPULATION_FILE
    text = path.read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    documented = int(re.search(r"add up to ([\d,]+)", header).group(1).replace(",", ""))
    population = planning.reference_population()
    kecamatan = {code: n for code, n in population.items() if code.count(".") == 2}
    assert sum(kecamatan.values()) == documented == 759929
    assert Region.objects.get(code="36.73").population == documented  # the city figure it splits
    districts = set(Region.objects.filter(code__startswith="36.73.", level=Region.Level.DISTRICT)
                    .values_list("code", flat=True))
    assert set(kecamatan) == districts  # every kecamatan row is a known kecamatan, and none is missing
    for code in set(population) - set(kecamatan):  # kelurahan rows, if any: known kelurahan
        assert Region.objects.filter(code=code, level=Region.Level.VILLAGE).exists(), code
    import csv
    rows = list(csv.DictReader(line for line in text.splitlines() if line and not line.startswith("#")))
    assert all(row["year"].isdigit() and row["source"].strip() for row in rows)
    # as long as a row is an approximation, the file and the docs say so
    if any("approximation" in row["source"] for row in rows):
        assert "DEMO APPROXIMATION, NOT OFFICIAL FIGURES" in header
        from pathlib import Path
        docs = (Path(__file__).resolve().parent.parent / "docs" / "statistics.md").read_text(encoding="utf-8")
        assert "demo approximation" in docs and f"{documented:,}" in docs


def test_plan_narrowed_filters_cuts_and_keeps_city_ranks(world, case_manager):
    plan = planning.planning_for(case_manager, today=world["today"])
    total = len(plan["rows"])
    top = planning.plan_narrowed(plan)
    assert len(top["rows"]) == planning.TOP_N == 10 and top["truncated"] and top["matched"] == total
    assert [r["rank"] for r in top["rows"]] == list(range(1, 11))
    everything = planning.plan_narrowed(plan, show_all=True)
    assert len(everything["rows"]) == total and not everything["truncated"]
    kasemen = planning.plan_narrowed(plan, kecamatan="36.73.02", show_all=True)
    assert kasemen["matched"] == len(villages("36.73.02")) and kasemen["total"] == total
    assert {r["code"].rsplit(".", 1)[0] for r in kasemen["rows"]} == {"36.73.02"}
    ranks = [r["rank"] for r in kasemen["rows"]]
    assert ranks == sorted(ranks) and max(ranks) > len(ranks)  # city-wide ranks, not renumbered
    name = world["c"].name.title()
    for query in (name.lower(), name.upper().replace(" ", "-"), name.replace(" ", "")):
        found = planning.plan_narrowed(plan, query=query)
        assert world["c"].code in [r["code"] for r in found["rows"]], query
    assert planning.plan_narrowed(plan, query="tidak-ada-kelurahan-ini")["matched"] == 0
    assert planning.plan_narrowed(plan, kecamatan="36.73.02", query=world["a"].name)["matched"] == 0


def test_the_page_filters_by_kecamatan_and_name_and_shows_ten_then_all(world, case_manager, partner_psychologist):
    url = reverse("awareness:planning")
    client = verified_client(case_manager)

    def rows(resp) -> list[str]:
        return re.findall(r'<th scope="row" class="place">(.*?) <span', resp.content.decode())

    first = client.get(url)
    assert first.status_code == 200 and len(rows(first)) == 10
    page = first.content.decode()
    assert "Menampilkan 10 teratas dari" in page and "semua=1" in page and "Tampilkan semua" in page
    assert 'type="search"' in page and 'name="kecamatan"' in page
    assert '<option value="90" selected>' in page  # the default window is the one shown
    every = client.get(url, {"semua": "1"})
    assert len(rows(every)) == Region.objects.filter(code__startswith="36.73.", level=4).count()
    assert "Tampilkan 10 teratas saja" in every.content.decode()
    kasemen = client.get(url, {"kecamatan": "36.73.02", "semua": "1", "hari": "30"})
    assert kasemen.status_code == 200
    assert len(rows(kasemen)) == len(villages("36.73.02"))
    assert "Urutan tetap urutan se-kota" in kasemen.content.decode()
    found = client.get(url, {"q": world["c"].name.lower()})
    assert world["c"].name.title() in rows(found)
    assert "Tidak ada kelurahan yang cocok" in client.get(url, {"q": "zzzz"}).content.decode()
    bad = client.get(url, {"kecamatan": "99.99.99"})
    assert bad.status_code == 400 and "Pilih kecamatan dari daftar." in bad.content.decode()
    assert len(rows(bad)) == 10  # the default view under the error
    audit = AuditEvent.objects.filter(action="read", object_type="planning").order_by("pk").last()
    assert audit.detail["kecamatan"] == "36.73.02" or audit.detail["window_days"] in (30, 90)
    assert not any("zzzz" in str(e.detail) for e in AuditEvent.objects.filter(object_type="planning"))
    # a partner filtering sees the same small-count rules
    part = verified_client(partner_psychologist).get(url, {"kecamatan": "36.73.01"})
    row_a = re.search(r"<tr>\s*<td[^>]*>1</td>.*?</tr>", part.content.decode(), re.S).group(0)
    assert world["a"].name.title() in row_a and "&lt;5" in row_a and "Skor" not in part.content.decode()


def test_awareness_tabs_mark_the_current_page_and_are_styled(case_manager):
    from pathlib import Path

    client = verified_client(case_manager)
    for name, label in (("awareness:events", "Sosialisasi"), ("awareness:articles", "Artikel edukasi"),
                        ("awareness:planning", "Rencana kunjungan")):
        page = client.get(reverse(name)).content.decode()
        nav = re.search(r'<nav class="subnav".*?</nav>', page, re.S).group(0)
        assert re.findall(r'aria-current="page">([^<]+)</a>', nav) == [label], name
    stats = client.get(reverse("stats:dashboard")).content.decode()  # the statistics tabs share the style
    nav = re.search(r'<nav class="subnav".*?</nav>', stats, re.S).group(0)
    assert re.findall(r'aria-current="page">([^<]+)</a>', nav) == ["Dasbor statistik"]
    css = (Path(__file__).resolve().parent.parent / "salingsapa/staff/static/staff/staff.css").read_text()
    assert ".subnav a[aria-current=page]{" in css and "min-height:44px" in css.split(".subnav a{", 1)[1].split("}")[0]
    assert re.search(r"@media print\{[^@]*\.planning-filter", css)
