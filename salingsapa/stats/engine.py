"""The counting engine: aggregate queries over cases, victims, incidents and reports.

Every number is computed by the database (``GROUP BY`` + ``COUNT``), never by looping over
cases in Python; the only Python work is on the aggregated rows (at most a few hundred).
Counting rules are documented in ``docs/statistics.md``; in short:

* a **case** is placed in a month by ``Case.reported_at`` in Asia/Jakarta time;
* breakdowns by incident attributes (form, TPKS form, place, relationship, met_via, platform,
  factor) count **distinct cases** per category: a case with several forms counts once per form,
  and a form recorded in two incidents of one case counts once;
* breakdowns by victim attributes (sex, age group) count **victims**: one per victim link
  (case, person) — a person who is a victim in two cases counts twice;
* a **report** (pengaduan) is placed in a month by ``Report.received_at`` in Asia/Jakarta time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMonth
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from salingsapa.cases.models import Case, CasePerson, CaseStatus, Incident
from salingsapa.core import codelists
from salingsapa.core.models import Code, Region
from salingsapa.intake.models import Report
from salingsapa.stats import rollup

# the filter and calendar helpers live in stats/filters.py; engine.StatsFilter etc. stay valid
from salingsapa.stats.filters import (
    JAKARTA as JAKARTA,
)
from salingsapa.stats.filters import (
    MONTHS_EN as MONTHS_EN,
)
from salingsapa.stats.filters import (
    MONTHS_ID_LONG as MONTHS_ID_LONG,
)
from salingsapa.stats.filters import (
    UNKNOWN as UNKNOWN,
)
from salingsapa.stats.filters import (
    FilterError as FilterError,
)
from salingsapa.stats.filters import (
    StatsFilter as StatsFilter,
)
from salingsapa.stats.filters import (
    _area_q as _area_q,
)
from salingsapa.stats.filters import (
    _month_names as _month_names,
)
from salingsapa.stats.filters import (
    month_end as month_end,
)
from salingsapa.stats.service_stats import service_stats


def _rolled(flt: StatsFilter) -> bool:
    """Whether ``flt`` can be answered from the rollups (``stats/rollup.py``): no form or age-group filter
    (the facts are not split by those), and the rollups current."""
    return not flt.form and not flt.age_group and rollup.ready()


def _facts(flt: StatsFilter, dimension: str, by: str = "c") -> dict[str, int]:
    """One dimension from the rollups, keyed and cleaned exactly as :func:`grouped` keys its rows."""
    out: dict[str, int] = {}
    for (key,), (n, _total) in rollup.counts(flt, dimension, (by,), home=settings.HOME_REGION_CODE).items():
        k = UNKNOWN if key is None or key == "" else str(key)
        out[k] = out.get(k, 0) + n
    return {k: v for k, v in out.items() if v}


def _facts_total(flt: StatsFilter, dimension: str) -> int:
    return sum(n for n, _t in rollup.counts(flt, dimension, (), home=settings.HOME_REGION_CODE).values())


def _facts_grouped(flt: StatsFilter, dimension: str, *, by: str = "c",
                   compare: bool = False) -> tuple[dict[str, int], dict[str, int] | None]:
    return _facts(flt, dimension, by), (_facts(flt.previous_year(), dimension, by) if compare else None)


def _code_id(list_name: str, slug: str) -> int | None:
    return Code.objects.filter(list=list_name, slug=slug).values_list("pk", flat=True).first()


def range_q(flt: StatsFilter, prefix: str = "") -> Q:
    lo, hi = flt.bounds
    return Q(**{f"{prefix}reported_at__gte": lo, f"{prefix}reported_at__lt": hi})


def scope_q(flt: StatsFilter, prefix: str = "", outer: str = "pk") -> Q:
    """Every filter except the period, for rows joined to the case through ``prefix``.

    ``outer`` names the case id column of the outer row (``pk`` for cases, ``case_id`` for incidents
    and victims, ``incident__case_id`` for the form/factor link tables) for the EXISTS filters.
    """
    q = Q()
    if flt.organisation_id is not None:
        q &= Q(**{f"{prefix}organisation_id": flt.organisation_id})
    if flt.area:
        q &= _area_q(f"{prefix}kelurahan__code", flt.area)
    if flt.form:
        through = Incident.violence_forms.through
        code_id = _code_id("violence_form", flt.form)
        q &= Q(Exists(through.objects.filter(incident__case_id=OuterRef(outer), code_id=code_id or 0)))
    if flt.age_group:
        q &= Q(
            Exists(
                CasePerson.objects.filter(
                    case_id=OuterRef(outer), role=CasePerson.Role.VICTIM, age_group=flt.age_group
                )
            )
        )
    return q


def cases_in(flt: StatsFilter, *, base: QuerySet[Case] | None = None) -> QuerySet[Case]:
    qs = (base if base is not None else Case.objects.all()).filter(range_q(flt), scope_q(flt))
    return qs.order_by()


def grouped(
    qs: QuerySet[Any], column: str, flt: StatsFilter, *, prefix: str, outer: str, count: str = "pk",
    distinct: bool = False, compare: bool = False,
) -> tuple[dict[str, int], dict[str, int] | None]:
    """Counts per value of ``column`` for the period and, in the same query, for the previous year."""
    prev = flt.previous_year()
    when = range_q(flt, prefix)
    period = (when | range_q(prev, prefix)) if compare else when
    aggs: dict[str, Any] = {"c": Count(count, distinct=distinct, filter=when) if compare else Count(count, distinct=distinct)}
    if compare:
        aggs["p"] = Count(count, distinct=distinct, filter=range_q(prev, prefix))
    rows = qs.filter(period, scope_q(flt, prefix, outer)).values(column).annotate(**aggs).order_by()
    cur: dict[str, int] = {}
    before: dict[str, int] = {}
    for row in rows:
        key = row[column]
        k = UNKNOWN if key is None or key == "" else str(key)
        cur[k] = cur.get(k, 0) + row["c"]
        if compare:
            before[k] = before.get(k, 0) + row["p"]
    return {k: v for k, v in cur.items() if v}, ({k: v for k, v in before.items() if v} if compare else None)


def reports_in(flt: StatsFilter) -> QuerySet[Report]:
    lo, hi = flt.bounds
    qs = Report.objects.filter(received_at__gte=lo, received_at__lt=hi)
    if flt.report_region:
        in_area = Q(kelurahan__code__startswith=flt.report_region + ".")
        if flt.report_region == settings.HOME_REGION_CODE:
            in_area |= Q(kelurahan__isnull=True)
        qs = qs.filter(in_area)
    if flt.area:
        qs = qs.filter(_area_q("kelurahan__code", flt.area))
    if flt.form:
        # JSON list of slugs; a quoted-slug text match works the same on SQLite and PostgreSQL.
        qs = qs.filter(violence_forms__icontains=f'"{flt.form}"')
    if flt.age_group:
        qs = qs.filter(victim_age_group=flt.age_group)
    return qs.order_by()


# --- results -------------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    value: int
    previous: int | None = None
    population: int | None = None

    @property
    def rate(self) -> float | None:
        """Per 10,000 population, where the population is known."""
        if not self.population:
            return None
        return round(self.value * 10000 / self.population, 2)

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.value - self.previous


@dataclass
class Breakdown:
    key: str
    title: str
    unit: str  # "kasus" or "korban"
    rows: list[Row] = field(default_factory=list)
    note: str = ""

    @property
    def total(self) -> int:
        return sum(r.value for r in self.rows)

    def as_dict(self) -> dict[str, int]:
        return {r.key: r.value for r in self.rows}


def _rows(
    counts: dict[str, int], list_name: str | None, *, keep_zero: bool = True, labels: dict[str, str] | None = None
) -> list[Row]:
    """Rows in code-list order (every category, zeros included), then unknown values."""
    rows: list[Row] = []
    seen: set[str] = set()
    if list_name is not None:
        for slug, text in codelists.choices(list_name, get_language() or "id"):
            n = counts.get(slug, 0)
            seen.add(slug)
            if n or keep_zero:
                rows.append(Row(slug, text, n))
    for key, n in sorted(counts.items(), key=lambda kv: (kv[0] == UNKNOWN, kv[0])):
        if key in seen or not n:
            continue
        text = (labels or {}).get(key) or (str(_("Tidak diketahui")) if key == UNKNOWN else key)
        rows.append(Row(key, text, n))
    return rows


def _group(qs: QuerySet[Any], column: str, count: str = "pk") -> dict[str, int]:
    out: dict[str, int] = {}
    for key, n in qs.values_list(column).annotate(n=Count(count, distinct=count != "pk")).values_list(column, "n"):
        k = key or UNKNOWN
        out[k] = out.get(k, 0) + n
    return out


# --- counts --------------------------------------------------------------------------------


def case_total(flt: StatsFilter) -> int:
    if _rolled(flt):
        return _facts_total(flt, "cases")
    return cases_in(flt).count()


def victims_in(flt: StatsFilter) -> QuerySet[CasePerson]:
    return CasePerson.objects.filter(range_q(flt, "case__"), scope_q(flt, "case__", "case_id"),
                                     role=CasePerson.Role.VICTIM).order_by()


def victim_total(flt: StatsFilter) -> int:
    if _rolled(flt):
        return _facts_total(flt, "victims")
    return victims_in(flt).count()


def child_victim_total(flt: StatsFilter) -> int:
    if _rolled(flt):
        return _facts_total(flt, "child_victims")
    return victims_in(flt).filter(is_child=True).count()


def report_total(flt: StatsFilter) -> int:
    if _rolled(flt):
        return _facts_total(flt, "reports")
    return reports_in(flt).count()


def _months(flt: StatsFilter) -> list[tuple[int, int]]:
    out = []
    y, m = flt.start.year, flt.start.month
    while (y, m) <= (flt.end.year, flt.end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _monthly(qs: QuerySet[Any], column: str) -> dict[tuple[int, int], int]:
    rows = (
        qs.annotate(month=TruncMonth(column, tzinfo=JAKARTA))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    out: dict[tuple[int, int], int] = {}
    for month, n in rows:
        key = (month.year, month.month)
        out[key] = out.get(key, 0) + n
    return out


def _facts_monthly(flt: StatsFilter, dimension: str) -> dict[tuple[int, int], int]:
    out: dict[tuple[int, int], int] = {}
    for (month,), (n, _total) in rollup.counts(flt, dimension, ("m",), home=settings.HOME_REGION_CODE).items():
        if n:
            key = divmod(int(month), 100)
            out[key] = out.get(key, 0) + n
    return out


def by_month(flt: StatsFilter, *, what: str = "cases") -> Breakdown:
    """Monthly counts with the same month of the previous year side by side."""
    prev = flt.previous_year()
    if _rolled(flt):
        dimension = "reports" if what == "reports" else "cases"
        cur_counts, prev_counts = _facts_monthly(flt, dimension), _facts_monthly(prev, dimension)
        title, unit = (_("Pengaduan per bulan"), "pengaduan") if what == "reports" else (_("Kasus per bulan"), "kasus")
    elif what == "reports":
        cur_counts, prev_counts = _monthly(reports_in(flt), "received_at"), _monthly(reports_in(prev), "received_at")
        title, unit = _("Pengaduan per bulan"), "pengaduan"
    else:
        cur_counts, prev_counts = _monthly(cases_in(flt), "reported_at"), _monthly(cases_in(prev), "reported_at")
        title, unit = _("Kasus per bulan"), "kasus"
    rows = []
    for y, m in _months(flt):
        rows.append(
            Row(f"{y}-{m:02d}", f"{_month_names()[0][m - 1]} {y}", cur_counts.get((y, m), 0),
                prev_counts.get((y - 1, m), 0))
        )
    return Breakdown("month" if what == "cases" else "report_month", str(title), unit, rows)


def _breakdown(
    key: str, title: str, unit: str, list_name: str | None, cur: dict[str, int], prev: dict[str, int] | None,
    *, note: str = "", keep_zero: bool = True, labels: dict[str, str] | None = None,
) -> Breakdown:
    rows = _rows(cur, list_name, keep_zero=keep_zero, labels=labels)
    if prev is not None:
        known = {r.key for r in rows}
        extra = {k: 0 for k in prev if k not in known and prev[k]}
        if extra:
            rows = _rows({**extra, **cur}, list_name, keep_zero=keep_zero, labels=labels)
        for r in rows:
            r.previous = prev.get(r.key, 0)
    return Breakdown(key, title, unit, rows, note)


INCIDENT_DIMENSIONS: dict[str, tuple[str, str, str]] = {
    # key: (source, code list, title)
    "violence_form": ("m2m:violence_forms", "violence_form", "Bentuk kekerasan (SIMFONI-PPA)"),
    "tpks_form": ("m2m:tpks_forms", "tpks_form", "Bentuk tindak pidana kekerasan seksual (UU TPKS)"),
    "factor": ("m2m:factors", "factor", "Faktor pendorong"),
    "place": ("col:place", "place", "Tempat kejadian"),
    "relationship": ("col:relationship", "relationship", "Hubungan pelaku dengan korban"),
    "met_via": ("col:met_via", "met_via", "Cara korban dan pelaku saling kenal"),
    "platform": ("col:met_via_platform", "platform", "Platform media sosial"),
}


def _all_codes() -> dict[str, tuple[str, str]]:
    """Every code list entry by id: (list, slug); one query per rollup session."""
    def load() -> dict[str, tuple[str, str]]:
        return {str(pk): (lst, slug) for pk, lst, slug in Code.objects.values_list("pk", "list", "slug")}
    return dict(rollup.memo(("codes",), load))


def _codes_by_id(list_name: str) -> dict[str, str]:
    return {pk: slug for pk, (lst, slug) in _all_codes().items() if lst == list_name}


def by_incident(flt: StatsFilter, key: str, *, compare: bool = False) -> Breakdown:
    source, list_name, title = INCIDENT_DIMENSIONS[key]
    kind, name = source.split(":")
    if _rolled(flt):
        cur, prev = _facts_grouped(flt, key if kind == "m2m" else name, compare=compare)
        if kind == "m2m":
            ids = _codes_by_id(list_name)
            cur = {ids.get(k, k): v for k, v in cur.items()}
            prev = {ids.get(k, k): v for k, v in prev.items()} if prev is not None else None
    elif kind == "m2m":
        through = getattr(Incident, name).through
        cur, prev = grouped(through.objects.all(), "code_id", flt, prefix="incident__case__",
                            outer="incident__case_id", count="incident__case_id", distinct=True, compare=compare)
        ids = _codes_by_id(list_name)
        cur = {ids.get(k, k): v for k, v in cur.items()}
        prev = {ids.get(k, k): v for k, v in prev.items()} if prev is not None else None
    else:
        cur, prev = grouped(Incident.objects.all(), name, flt, prefix="case__", outer="case_id", count="case_id",
                            distinct=True, compare=compare)
    if key == "platform":  # only cases that met via a platform
        cur.pop(UNKNOWN, None)
        if prev is not None:
            prev.pop(UNKNOWN, None)
    note = str(_("Satu kasus dengan beberapa kategori dihitung sekali pada setiap kategori."))
    return _breakdown(key, str(_(title)), "kasus", list_name, cur, prev, note=note, keep_zero=key != "tpks_form")


def by_victim(flt: StatsFilter, key: str, *, compare: bool = False) -> Breakdown:
    """Victims by ``sex`` or ``age_group`` (one per victim link, see the module docstring)."""
    column = "person__sex" if key == "sex" else "age_group"
    if _rolled(flt):
        cur, prev = _facts_grouped(flt, key, compare=compare)
    else:
        cur, prev = grouped(CasePerson.objects.filter(role=CasePerson.Role.VICTIM), column, flt, prefix="case__",
                        outer="case_id", compare=compare)
    titles = {"sex": _("Korban menurut jenis kelamin"), "age_group": _("Korban menurut kelompok umur")}
    return _breakdown(key, str(titles[key]), "korban", key, cur, prev)


def by_channel(flt: StatsFilter, *, compare: bool = False) -> Breakdown:
    if _rolled(flt):
        cur, prev = _facts_grouped(flt, "channel", compare=compare)
        return _breakdown("channel", str(_("Kasus menurut saluran pengaduan pertama")), "kasus", "channel", cur, prev)
    cur, prev = grouped(Case.objects.all(), "channel", flt, prefix="", outer="pk", compare=compare)
    return _breakdown("channel", str(_("Kasus menurut saluran pengaduan pertama")), "kasus", "channel", cur, prev)


def reports_by(flt: StatsFilter, column: str) -> Breakdown:
    counts = _facts(flt, f"report_{column}") if _rolled(flt) else _group(reports_in(flt), column)
    if column == "channel":
        return _breakdown("report_channel", str(_("Pengaduan menurut saluran")), "pengaduan", "channel", counts, None)
    labels = {str(v): str(lbl) for v, lbl in Report.Status.choices}
    return _breakdown(
        "report_status", str(_("Pengaduan menurut status")), "pengaduan", None, counts, None, labels=labels
    )


def _region_names(codes: Iterable[str]) -> dict[str, Region]:
    return {r.code: r for r in Region.objects.filter(code__in=list(codes))}


def _home_regions(home: str) -> list[Region]:
    """The kecamatan and kelurahan of ``home`` in code order (once per rollup session)."""
    def load() -> list[Region]:
        return list(Region.objects.filter(_area_q("code", home), level__in=[Region.Level.DISTRICT, Region.Level.VILLAGE])
                    .only("code", "name", "population", "parent", "level").order_by("code"))
    return list(rollup.memo(("regions", home), load))


def by_area(flt: StatsFilter, level: str = "kecamatan", *, compare: bool = False) -> Breakdown:
    """Cases by kecamatan or kelurahan of the case, with a rate per 10,000 where population is known.

    Aggregated per kelurahan in the database; kelurahan rows are summed to their kecamatan here
    (at most a few dozen rows). Every kecamatan/kelurahan of the home region is listed, zeros included.
    """

    home = flt.area or settings.HOME_REGION_CODE

    if _rolled(flt):
        cur, prev = _facts_grouped(flt, "cases", by="k", compare=compare)
    else:
        cur, prev = grouped(Case.objects.all(), "kelurahan_id", flt, prefix="", outer="pk", compare=compare)
    want_level = Region.Level.DISTRICT if level == "kecamatan" else Region.Level.VILLAGE
    areas = _home_regions(home)  # one query for the kecamatan and kelurahan of a whole summary
    regions = [r for r in areas if r.level == want_level]
    villages = {r.code: r for r in areas if r.level == Region.Level.VILLAGE}
    # Population of a kecamatan: its own figure, else the sum of its kelurahan if all are known.
    village_pop: dict[str, list[int | None]] = {}
    for v in villages.values():
        village_pop.setdefault(v.parent_id or "", []).append(v.population)

    def fold(counts: dict[str, int] | None) -> dict[str, int]:
        out: dict[str, int] = {}
        for code, n in (counts or {}).items():
            if code == UNKNOWN:
                key = UNKNOWN
            elif want_level == Region.Level.DISTRICT:
                key = (villages[code].parent_id if code in villages else None) or code.rsplit(".", 1)[0]
            else:
                key = code
            out[key or UNKNOWN] = out.get(key or UNKNOWN, 0) + n
        return out

    cur_f, prev_f = fold(cur), (fold(prev) if prev is not None else None)
    rows: list[Row] = []
    for region in regions:
        pop = region.population
        if pop is None and want_level == Region.Level.DISTRICT:
            pops = village_pop.get(region.code, [])
            if pops and all(p is not None for p in pops):
                pop = sum(p for p in pops if p is not None)
        row = Row(region.code, region.name.title(), cur_f.pop(region.code, 0), population=pop)
        if prev_f is not None:
            row.previous = prev_f.pop(region.code, 0)
        rows.append(row)
    names = _region_names(k for k in cur_f if k != UNKNOWN)
    for key in sorted(set(cur_f) | set(prev_f or {}), key=lambda k: (k == UNKNOWN, k)):
        text = str(_("Tidak diketahui / luar wilayah")) if key == UNKNOWN or key not in names else names[key].name.title()
        rows.append(Row(key, text, cur_f.get(key, 0), None if prev_f is None else prev_f.get(key, 0)))
    title = _("Kasus menurut kecamatan") if level == "kecamatan" else _("Kasus menurut kelurahan")
    return Breakdown(level, str(title), "kasus", rows, str(_("Angka per 10.000 penduduk bila jumlah penduduk diketahui.")))


def crosstab(flt: StatsFilter, rows: str, cols: str) -> dict[tuple[str, str], int]:
    """Two-way counts for published tables. Supported: ("kecamatan", "violence_form"), ("age_group", "sex").

    Cells count distinct cases (kecamatan × form) or victims (age group × sex).
    """
    out: dict[tuple[str, str], int] = {}
    if (rows, cols) in (("kecamatan", "violence_form"), ("age_group", "sex")) and _rolled(flt):
        return _facts_crosstab(flt, rows)
    if (rows, cols) == ("kecamatan", "violence_form"):
        through = Incident.violence_forms.through
        qs = (
            through.objects.filter(range_q(flt, "incident__case__"), scope_q(flt, "incident__case__", "incident__case_id"))
            .values_list("incident__case__kelurahan__parent_id", "code__slug")
            .annotate(n=Count("incident__case_id", distinct=True))
        )
        for kec, form, n in qs:
            k = (kec or UNKNOWN, form)
            out[k] = out.get(k, 0) + n
        return out
    if (rows, cols) == ("age_group", "sex"):
        qs2 = (
            victims_in(flt)
            .values_list("age_group", "person__sex")
            .annotate(n=Count("pk"))
        )
        for age, sex, n in qs2:
            k = (age or UNKNOWN, sex or "unknown")
            out[k] = out.get(k, 0) + n
        return out
    raise ValueError(f"unsupported cross-tabulation {rows} × {cols}")


def _facts_crosstab(flt: StatsFilter, rows: str) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    home = settings.HOME_REGION_CODE
    if rows == "kecamatan":
        cells = rollup.counts(flt, "violence_form", ("k", "c"), home=home)
        parents = dict(Region.objects.filter(code__in={k for k, _c in cells if k}).values_list("code", "parent_id"))
        slugs = {pk: slug for pk, (_list, slug) in _all_codes().items()}
        for (kel, code), (n, _t) in cells.items():
            if n:
                key = (parents.get(kel) or UNKNOWN if kel else UNKNOWN, slugs.get(str(code), str(code)))
                out[key] = out.get(key, 0) + n
        return out
    for (cell,), (n, _t) in rollup.counts(flt, "age_sex", ("c",), home=home).items():
        if n:
            age, _sep, sex = str(cell).partition("|")
            key = (age or UNKNOWN, sex or "unknown")
            out[key] = out.get(key, 0) + n
    return out


@dataclass
class ClosureStats:
    closed: int
    open: int
    avg_days_to_closure: float | None
    within_30: int
    within_90: int
    over_90: int


def closure(flt: StatsFilter) -> ClosureStats:
    """Time from report to closure for cases reported in the period (where closed_at is recorded)."""
    if _rolled(flt):
        return _facts_closure(flt)
    qs = cases_in(flt)
    duration = ExpressionWrapper(F("closed_at") - F("reported_at"), output_field=DurationField())
    closed = qs.filter(closed_at__isnull=False, status=CaseStatus.CLOSED)
    agg = closed.annotate(d=duration).aggregate(
        n=Count("pk"),
        avg=Avg("d"),
        w30=Count("pk", filter=Q(d__lte=dt.timedelta(days=30))),
        w90=Count("pk", filter=Q(d__gt=dt.timedelta(days=30), d__lte=dt.timedelta(days=90))),
        o90=Count("pk", filter=Q(d__gt=dt.timedelta(days=90))),
    )
    avg = agg["avg"]
    if isinstance(avg, (int, float)):  # some backends hand back microseconds
        avg = dt.timedelta(microseconds=avg)
    return ClosureStats(
        closed=agg["n"],
        open=qs.exclude(status=CaseStatus.CLOSED).count(),
        avg_days_to_closure=round(avg.total_seconds() / 86400, 1) if avg is not None else None,
        within_30=agg["w30"],
        within_90=agg["w90"],
        over_90=agg["o90"],
    )


def _facts_closure(flt: StatsFilter) -> ClosureStats:
    bands = rollup.counts(flt, rollup.CLOSURE, ("c",), home=settings.HOME_REGION_CODE, with_total=True)
    closed, micros = bands.get(("",), [0, 0])
    avg = dt.timedelta(microseconds=micros / closed) if closed else None
    return ClosureStats(
        closed=closed,
        open=_facts_total(flt, "open"),
        avg_days_to_closure=round(avg.total_seconds() / 86400, 1) if avg is not None else None,
        within_30=bands.get(("w30",), [0, 0])[0],
        within_90=bands.get(("w90",), [0, 0])[0],
        over_90=bands.get(("o90",), [0, 0])[0],
    )


@dataclass
class Summary:
    """Everything the dashboard and the reports show for one filter."""

    flt: StatsFilter
    cases: int
    cases_previous: int
    victims: int
    victims_previous: int
    child_victims: int
    reports: int
    reports_previous: int
    breakdowns: dict[str, Breakdown]
    closure: ClosureStats
    services: Any = None  # service_stats.ServiceStats: deadlines, referrals, deliveries
    age_sex: dict[tuple[str, str], int] = field(default_factory=dict)  # victims by (age group, sex)

    @property
    def change_pct(self) -> float | None:
        if not self.cases_previous:
            return None
        return round((self.cases - self.cases_previous) * 100 / self.cases_previous, 1)


def summary(flt: StatsFilter, *, compare: bool = True, kelurahan: bool = True) -> Summary:
    with rollup.session():  # check (and bring up to date) the rollups once for all the figures
        return _summary(flt, compare=compare, kelurahan=kelurahan)


def _summary(flt: StatsFilter, *, compare: bool, kelurahan: bool) -> Summary:
    prev = flt.previous_year()
    breakdowns: dict[str, Breakdown] = {
        "month": by_month(flt),
        "report_month": by_month(flt, what="reports"),
    }
    for key in INCIDENT_DIMENSIONS:
        breakdowns[key] = by_incident(flt, key, compare=compare)
    breakdowns["sex"] = by_victim(flt, "sex", compare=compare)
    breakdowns["age_group"] = by_victim(flt, "age_group", compare=compare)
    breakdowns["kecamatan"] = by_area(flt, "kecamatan", compare=compare)
    if kelurahan:
        breakdowns["kelurahan"] = by_area(flt, "kelurahan", compare=False)
    breakdowns["channel"] = by_channel(flt, compare=compare)
    breakdowns["report_channel"] = reports_by(flt, "channel")
    breakdowns["report_status"] = reports_by(flt, "status")
    return Summary(
        flt=flt,
        cases=case_total(flt),
        cases_previous=case_total(prev),
        victims=victim_total(flt),
        victims_previous=victim_total(prev),
        child_victims=child_victim_total(flt),
        reports=report_total(flt),
        reports_previous=report_total(prev),
        breakdowns=breakdowns,
        closure=closure(flt),
        services=_services(flt),
        age_sex=crosstab(flt, "age_group", "sex"),
    )


def _services(flt: StatsFilter) -> Any:
    return service_stats(flt)
