"""Where to go next: kelurahan ranked for the next mobile-counselling visits (issue 13 item 4).

Per kelurahan of the home region, from one grouped query each: reports received and cases reported in
the last ``window_days``, open high-risk cases, awareness events in the last year, the last past visit and
the next one scheduled (``outreach.Visit``), and a rate per 10,000 population where the population is
known (``Region.population``, else the reference file ``stats/data/population_kota_serang.csv``; a
kelurahan without its own figure gets its kecamatan's rate, and the page says so).

The score is a plain sum, shown with its reasons on every row:
3 × open high-risk cases + 2 × recent cases + 1 × recent reports + 2 when no awareness event in the last
year + 1 per full 90 days since the last visit (4 when never visited, at most 4) + 1 when the rate is above
the city's; a visit already scheduled in the coming weeks halves the score (rounded down).

Small numbers: people outside the lead agency (partners) see every count from 1 to 4 (and 0) as "<5", a
rate only when its count is 5 or more, and no score (the score would give the counts back). The order of
the rows is the same for everyone.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from salingsapa.awareness.models import AwarenessEvent
from salingsapa.cases.models import Case, CaseStatus
from salingsapa.core.models import Region
from salingsapa.intake.models import Report, RiskLevel
from salingsapa.outreach.models import Visit

POPULATION_FILE = Path(__file__).resolve().parent / "data" / "population_kota_serang.csv"
SMALL = 5  # counts below this are never shown outside the lead agency
SUPPRESSED = "<5"
EVENT_WINDOW_DAYS = 365
VISIT_SOON_DAYS = 30


@lru_cache(maxsize=4)
def reference_population(path: str = str(POPULATION_FILE)) -> dict[str, int]:
    """Region code → population from the reference CSV (comment lines start with ``#``)."""
    with open(path, encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if line.strip() and not line.startswith("#"))
        return {row["code"].strip(): int(row["population"]) for row in rows if row.get("population", "").strip()}


@dataclass
class PlanRow:
    code: str
    name: str
    kecamatan: str
    reports: int = 0
    cases: int = 0
    high_risk_open: int = 0
    events: int = 0
    last_event: dt.date | None = None
    last_visit: dt.date | None = None
    next_visit: dt.date | None = None
    population: int | None = None
    population_level: str = ""  # "kelurahan" or "kecamatan"
    rate: float | None = None  # reports + cases per 10,000 (of the kelurahan or its kecamatan)
    rate_count: int = 0  # the count behind the rate
    days_since_visit: int | None = None
    score: int = 0


def _grouped(qs: Any, key: str) -> dict[str, int]:
    return {row[key]: row["n"] for row in qs.values(key).annotate(n=Count("pk")).order_by() if row[key]}


def planning_rows(*, today: dt.date | None = None, window_days: int = 90) -> list[PlanRow]:
    """Every kelurahan of the home region, highest score first (ties: more reports, then by name)."""
    today = today or timezone.localdate()
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=window_days), dt.time.min))
    home = settings.HOME_REGION_CODE
    in_home = Q(kelurahan__code__startswith=home + ".")
    reports = _grouped(Report.objects.filter(in_home, received_at__gte=since)
                       .exclude(status=Report.Status.NOT_VIOLENCE), "kelurahan_id")
    cases = _grouped(Case.objects.filter(in_home, reported_at__gte=since), "kelurahan_id")
    high = _grouped(Case.objects.filter(in_home, risk_level=RiskLevel.HIGH).exclude(status=CaseStatus.CLOSED),
                    "kelurahan_id")
    event_since = today - dt.timedelta(days=EVENT_WINDOW_DAYS)
    events = {row["kelurahan_id"]: row for row in AwarenessEvent.objects.filter(in_home).values("kelurahan_id")
              .annotate(n=Count("pk", filter=Q(held_on__gte=event_since)), last=Max("held_on")).order_by()}
    visits = {row["kelurahan_id"]: row for row in Visit.objects.filter(in_home, status=Visit.Status.PUBLISHED)
              .values("kelurahan_id")
              .annotate(last=Max("date", filter=Q(date__lte=today)), next=Min("date", filter=Q(date__gt=today)))
              .order_by()}
    reference = reference_population()
    villages = list(Region.objects.filter(code__startswith=home + ".", level=Region.Level.VILLAGE)
                    .select_related("parent").order_by("code"))
    districts = {r.code: r for r in Region.objects.filter(code__startswith=home + ".", level=Region.Level.DISTRICT)}

    rows: list[PlanRow] = []
    for v in villages:
        ev: Mapping[str, Any] = events.get(v.code, {})
        vi: Mapping[str, Any] = visits.get(v.code, {})
        row = PlanRow(code=v.code, name=v.name.title(), kecamatan=(v.parent.name.title() if v.parent else ""),
                      reports=reports.get(v.code, 0), cases=cases.get(v.code, 0), high_risk_open=high.get(v.code, 0),
                      events=ev.get("n", 0), last_event=ev.get("last"), last_visit=vi.get("last"),
                      next_visit=vi.get("next"))
        population = v.population or reference.get(v.code)
        if population:
            row.population, row.population_level = population, "kelurahan"
        rows.append(row)
    # Kecamatan rates for kelurahan without their own population figure.
    kec_counts: dict[str, int] = {}
    for row in rows:
        kec_counts[row.code.rsplit(".", 1)[0]] = kec_counts.get(row.code.rsplit(".", 1)[0], 0) + row.reports + row.cases
    total_pop = 0
    for code, region in districts.items():
        total_pop += region.population or reference.get(code) or 0
    city_count = sum(kec_counts.values())
    city_rate = city_count * 10000 / total_pop if total_pop else None
    for row in rows:
        kec = row.code.rsplit(".", 1)[0]
        if row.population:
            row.rate_count = row.reports + row.cases
            row.rate = round(row.rate_count * 10000 / row.population, 2)
        else:
            district = districts.get(kec)
            population = (district.population if district else None) or reference.get(kec)
            if population:
                row.population, row.population_level = population, "kecamatan"
                row.rate_count = kec_counts.get(kec, 0)
                row.rate = round(row.rate_count * 10000 / population, 2)
        _score(row, today, city_rate)
    rows.sort(key=lambda r: (-r.score, -(r.reports + r.cases), r.name))
    return rows


def _score(row: PlanRow, today: dt.date, city_rate: float | None) -> None:
    row.days_since_visit = None if row.last_visit is None else (today - row.last_visit).days
    score = 3 * row.high_risk_open + 2 * row.cases + row.reports
    if row.events == 0:
        score += 2
    if row.last_visit is None:
        score += 4
    else:
        score += min((today - row.last_visit).days // 90, 4)
    if row.rate is not None and city_rate is not None and row.rate > city_rate:
        score += 1
    if row.next_visit is not None and (row.next_visit - today).days <= VISIT_SOON_DAYS:
        score //= 2
    row.score = score


def shown(value: int, *, full: bool) -> str:
    """A count as the viewer may see it: exact for the lead agency, "<5" for 0–4 otherwise."""
    if full or value >= SMALL:
        return str(value)
    return SUPPRESSED


def reasons(row: PlanRow, *, full: bool, window_days: int = 90) -> list[str]:
    """Why this kelurahan is where it is, in words; small counts suppressed for people outside the lead agency."""
    out: list[str] = []
    if row.high_risk_open:
        out.append(_("%(n)s kasus risiko tinggi masih terbuka") % {"n": shown(row.high_risk_open, full=full)})
    if row.cases:
        out.append(_("%(n)s kasus baru dalam %(days)d hari") % {"n": shown(row.cases, full=full), "days": window_days})
    if row.reports:
        out.append(_("%(n)s pengaduan dalam %(days)d hari") % {"n": shown(row.reports, full=full), "days": window_days})
    if row.events == 0:
        out.append(_("belum ada sosialisasi dalam 12 bulan"))
    if row.last_visit is None:
        out.append(_("belum pernah dikunjungi konseling keliling"))
    elif row.days_since_visit is not None and row.days_since_visit >= 90:
        out.append(ngettext("kunjungan terakhir %(d)d hari lalu", "kunjungan terakhir %(d)d hari lalu",
                            row.days_since_visit) % {"d": row.days_since_visit})
    if row.next_visit is not None:
        out.append(_("kunjungan berikutnya sudah dijadwalkan %(date)s") % {"date": row.next_visit.strftime("%d-%m-%Y")})
    return out


def planning_for(user: Any, *, today: dt.date | None = None, window_days: int = 90) -> dict[str, Any]:
    """The page's rows as the user may see them. Lead-agency staff: exact figures and the score; anyone
    else: counts below 5 as "<5", rates only from counts of 5 or more, no score."""
    full = bool(getattr(user, "is_lead_agency_staff", False))
    out = []
    for rank, row in enumerate(planning_rows(today=today, window_days=window_days), start=1):
        rate = row.rate if row.rate is not None and (full or row.rate_count >= SMALL) else None
        out.append({
            "rank": rank, "code": row.code, "name": row.name, "kecamatan": row.kecamatan,
            "reports": shown(row.reports, full=full), "cases": shown(row.cases, full=full),
            "high_risk_open": shown(row.high_risk_open, full=full), "events": row.events,
            "last_event": row.last_event, "last_visit": row.last_visit, "next_visit": row.next_visit,
            "days_since_visit": row.days_since_visit,
            "rate": rate, "rate_suppressed": row.rate is not None and rate is None,
            "population": row.population, "population_level": row.population_level,
            "score": row.score if full else None, "reasons": reasons(row, full=full, window_days=window_days),
        })
    return {"rows": out, "full": full, "window_days": window_days}


TOP_N = 10  # rows shown before "show all" (a coordinator's phone: the ten places to go first)


def _folded(text: str) -> str:
    """Lower case, letters and digits only: "Sumur Pecung", "sumurpecung" and "SUMUR-PECUNG" match."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def plan_narrowed(plan: dict[str, Any], *, kecamatan: str = "", query: str = "",
                  show_all: bool = False, limit: int = TOP_N) -> dict[str, Any]:
    """The plan with only the rows of one kecamatan (its code) and/or whose kelurahan name contains
    ``query``, the first ``limit`` of them unless ``show_all``. Ranks stay the city-wide ranks; the
    counts say how many matched and how many are shown."""
    needle = _folded(query)
    rows = [r for r in plan["rows"]
            if (not kecamatan or r["code"].rsplit(".", 1)[0] == kecamatan)
            and (not needle or needle in _folded(r["name"]))]
    shown_rows = rows if show_all else rows[:limit]
    return {**plan, "rows": shown_rows, "matched": len(rows), "total": len(plan["rows"]),
            "truncated": len(shown_rows) < len(rows)}
