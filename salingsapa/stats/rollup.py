"""Rollups: the statistics engine's counts pre-aggregated per WIB month, office, kelurahan and category.

Why: at a million cases the dashboard's ~40 grouped queries over cases, victims, incidents and their
form tables take seconds; the same figures summed from ``StatsFact`` (a few thousand rows per year)
take milliseconds. docs/performance.md ("Rollups") has the figures.

How the numbers stay identical to the engine's live queries:

* Every dimension is defined once, below, as a grouped query over the base tables with the engine's
  counting rule (distinct cases for incident attributes, victim links for victim attributes). The
  rebuild stores its result per month; a read sums whole months from ``StatsFact`` and runs the *same*
  grouped query live for the days of a partly covered month at either end of the period (the default
  dashboard period ends today). Sums over months, offices and kelurahan are exact because a case lies
  in exactly one month, office and kelurahan.
* Raw category values are stored (NULL and "" apart, code ids rather than slugs); the engine maps
  them exactly as it maps its live rows.
* Filters the facts cannot answer (a violence form or an age group) make the engine read live.
* The service figures (``stats/service_stats.py``) have their own side: met deadlines, referrals and deliveries
  placed by their own dates, keyed by their case's office and kelurahan (a report's clock without a case: no
  office, the report's kelurahan, scoped by region). The clocks still open are counted live.

How they stay current: the services announce ``COUNTED_DATA_CHANGED`` with the ids of the cases and
reports they wrote (the deadline, referral and delivery services: whose clocks, referrals and deliveries);
the handler queues those ids in ``RollupDirty`` in the writer's own transaction. Before a read,
:func:`ready` recomputes the months of the queued rows and of their deadlines, referrals and deliveries
(one month of base rows per queued month, under a lock) — so a read always sees every committed write,
with no lag. An announcement without ids marks the rollups stale, and so does a case or report whose id
is newer than the rollups know (a bulk load or a hand edit): the engine then reads live until
``salingsapa stats rebuild``, which seed-demo and restore run. (A deadline, referral or delivery loaded
behind the services' back for an existing case is not noticed — their ids are not tracked: rebuild after
loading rows any other way, as docs/operations.md says.)
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as DbCase
from django.db.models.functions import Cast, Coalesce, Concat, ExtractMonth, ExtractYear
from django.utils import timezone

from salingsapa.cases.models import Case, CasePerson, CaseStatus, Deadline, Incident
from salingsapa.intake.models import Report
from salingsapa.network.models import Referral, ServiceDelivery
from salingsapa.stats.filters import JAKARTA, StatsFilter, month_end
from salingsapa.stats.models import RollupDirty, RollupState, StatsFact

CASE_SIDE = "case"
REPORT_SIDE = "report"
SERVICE_SIDE = "service"  # deadlines, referrals, deliveries: keyed by their case's office and kelurahan


@dataclass(frozen=True)
class Dimension:
    name: str
    side: str  # "case" (keyed by the case's office and kelurahan) or "report"
    build: Callable[[], QuerySet[Any]]  # base rows, already narrowed (e.g. victims only)
    prefix: str  # path from the base row to its case (or "" for cases and reports)
    category: Any  # expression for the category, or None
    count: Any  # the aggregate
    at: str = ""  # the placement column, where not the case's reported_at / the report's received_at
    by_date: bool = False  # ``at`` is a date (deliveries): its month without a time zone
    total: Any = None  # a summed duration in microseconds (stored as total), or None
    kel: Any = None  # the kelurahan, where not the case's / the report's
    caseless: bool = False  # rows without a case (a report's deadline): no office, scoped by their region


class _Micros(Func):
    """A duration as whole microseconds (SQLite computes durations in microseconds already)."""

    template = "%(expressions)s"
    output_field = BigIntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(EXTRACT(EPOCH FROM %(expressions)s) * 1000000 AS BIGINT)",
                           **extra)


def _victims() -> QuerySet[Any]:
    return CasePerson.objects.filter(role=CasePerson.Role.VICTIM)


def _m2m(name: str) -> Callable[[], QuerySet[Any]]:
    return lambda: getattr(Incident, name).through.objects.all()


_CASE_COUNT = Count("pk")
_INCIDENT_CASES = Count("case_id", distinct=True)
_M2M_CASES = Count("incident__case_id", distinct=True)

DIMENSIONS: list[Dimension] = [
    Dimension("cases", CASE_SIDE, Case.objects.all, "", None, _CASE_COUNT),
    Dimension("channel", CASE_SIDE, Case.objects.all, "", F("channel"), _CASE_COUNT),
    Dimension("open", CASE_SIDE, lambda: Case.objects.exclude(status=CaseStatus.CLOSED), "", None, _CASE_COUNT),
    Dimension("victims", CASE_SIDE, _victims, "case__", None, _CASE_COUNT),
    Dimension("child_victims", CASE_SIDE, lambda: _victims().filter(is_child=True), "case__", None, _CASE_COUNT),
    Dimension("sex", CASE_SIDE, _victims, "case__", F("person__sex"), _CASE_COUNT),
    Dimension("age_group", CASE_SIDE, _victims, "case__", F("age_group"), _CASE_COUNT),
    Dimension("age_sex", CASE_SIDE, _victims, "case__",
              Concat(Coalesce("age_group", Value("")), Value("|"), Coalesce("person__sex", Value("")),
                     output_field=CharField()), _CASE_COUNT),
    Dimension("violence_form", CASE_SIDE, _m2m("violence_forms"), "incident__case__",
              Cast("code_id", CharField()), _M2M_CASES),
    Dimension("tpks_form", CASE_SIDE, _m2m("tpks_forms"), "incident__case__", Cast("code_id", CharField()), _M2M_CASES),
    Dimension("factor", CASE_SIDE, _m2m("factors"), "incident__case__", Cast("code_id", CharField()), _M2M_CASES),
    Dimension("place", CASE_SIDE, Incident.objects.all, "case__", F("place"), _INCIDENT_CASES),
    Dimension("relationship", CASE_SIDE, Incident.objects.all, "case__", F("relationship"), _INCIDENT_CASES),
    Dimension("met_via", CASE_SIDE, Incident.objects.all, "case__", F("met_via"), _INCIDENT_CASES),
    Dimension("met_via_platform", CASE_SIDE, Incident.objects.all, "case__", F("met_via_platform"), _INCIDENT_CASES),
    Dimension("reports", REPORT_SIDE, Report.objects.all, "", None, _CASE_COUNT),
    Dimension("report_channel", REPORT_SIDE, Report.objects.all, "", F("channel"), _CASE_COUNT),
    Dimension("report_status", REPORT_SIDE, Report.objects.all, "", F("status"), _CASE_COUNT),
    # service figures (stats/service_stats.py): a referral by created_at, as "service|status|answered" where
    # answered is "" (not yet), "t" (by respond_by) or "l" (later); a delivery by delivered_on, by kind
    Dimension("referral", SERVICE_SIDE, Referral.objects.all, "case__",
              Concat("service", Value("|"), "status", Value("|"),
                     DbCase(When(responded_at__isnull=True, then=Value("")),
                            When(responded_at__lte=F("respond_by"), then=Value("t")), default=Value("l"),
                            output_field=CharField()), output_field=CharField()), _CASE_COUNT, at="created_at"),
    Dimension("delivery", SERVICE_SIDE, ServiceDelivery.objects.all, "referral__case__", F("kind"), _CASE_COUNT,
              at="delivered_on", by_date=True),
    # deadlines met, by start (starts_at), as "kind|risk|state" (risk only for first contact; state "t" met by
    # due_at, "l" later); total = microseconds from start to met. Office and kelurahan are the case's, or for a
    # report's clock without a case NULL and the report's kelurahan. Open clocks are counted live (overdue or
    # not depends on the moment): stats/service_stats.py.
    Dimension("sla", SERVICE_SIDE, lambda: Deadline.objects.filter(met_at__isnull=False), "case__",
              Concat("kind", Value("|"),
                     DbCase(When(kind=Deadline.Kind.FIRST_CONTACT, then=F("risk_level")), default=Value(""),
                            output_field=CharField()), Value("|"),
                     DbCase(When(met_at__lte=F("due_at"), then=Value("t")), default=Value("l"),
                            output_field=CharField()), output_field=CharField()),
              _CASE_COUNT, at="starts_at",
              total=_Micros(Sum(ExpressionWrapper(F("met_at") - F("starts_at"), output_field=DurationField()))),
              kel=DbCase(When(case__isnull=True, then=F("report__kelurahan_id")), default=F("case__kelurahan_id"),
                         output_field=CharField()), caseless=True),
]
BY_NAME = {d.name: d for d in DIMENSIONS}
COARSE = "*"  # "cases*": the case-side facts summed over kelurahan (office kept), read when no area is filtered
CLOSURE = "closure"  # categories w30 / w90 / o90; n = closed cases, total = microseconds to closure
SLA = "sla"
CLOSURE_BANDS = (("w30", None, dt.timedelta(days=30)), ("w90", dt.timedelta(days=30), dt.timedelta(days=90)),
                 ("o90", dt.timedelta(days=90), None))


def _time_column(dim: Dimension) -> str:
    return dim.at or (f"{dim.prefix}reported_at" if dim.side == CASE_SIDE else "received_at")


def _month_expr(at: str, *, by_date: bool = False) -> Any:
    if by_date:
        return ExtractYear(at) * 100 + ExtractMonth(at)
    return ExtractYear(at, tzinfo=JAKARTA) * 100 + ExtractMonth(at, tzinfo=JAKARTA)


def _grouped(dim: Dimension, when: Q, *, labelled: bool = False) -> QuerySet[Any]:
    """The dimension's base rows in ``when``, grouped by (m, o, k, c) with the count as n (and the dimension's
    name as d when ``labelled``, for a UNION of several dimensions)."""
    keys: dict[str, Any] = {
        "m": _month_expr(_time_column(dim), by_date=dim.by_date),
        "o": F(f"{dim.prefix}organisation_id") if dim.side != REPORT_SIDE else Cast(Value(None), IntegerField()),
        "k": dim.kel if dim.kel is not None else F(f"{dim.prefix}kelurahan_id"),
        "c": dim.category if dim.category is not None else Cast(Value(None), CharField()),
    }
    if labelled:
        keys["d"] = Value(dim.name, output_field=CharField())
    total = dim.total if dim.total is not None else Value(0, output_field=BigIntegerField())
    return dim.build().filter(when).values(**keys).annotate(n=dim.count, t=total).order_by()


def _org_q(dim: Dimension, org: int) -> Q:
    """The office's rows of a dimension (and the rows without a case, which the caller scopes by region)."""
    q = Q(**{f"{dim.prefix}organisation_id": org})
    return q | Q(case__isnull=True) if dim.caseless else q


def _when(dim: Dimension, lo: dt.datetime | None, hi: dt.datetime | None) -> Q:
    return _when_at(_time_column(dim), lo, hi, by_date=dim.by_date)


def _when_at(at: str, lo: dt.datetime | None, hi: dt.datetime | None, *, by_date: bool = False) -> Q:
    """``at`` in [lo, hi); a date column by the WIB days of the bounds (they are WIB midnights)."""
    q = Q()
    if lo is not None:
        q &= Q(**{f"{at}__gte": lo.astimezone(JAKARTA).date() if by_date else lo})
    if hi is not None:
        q &= Q(**{f"{at}__lt": hi.astimezone(JAKARTA).date() if by_date else hi})
    return q


def _closure_rows(when: Q) -> Iterator[tuple[int, Any, Any, str, int, int]]:
    """Closed cases per (month, office, kelurahan): the three bands and the total with its summed duration, from
    one grouped query (the bands as filtered counts)."""
    duration = ExpressionWrapper(F("closed_at") - F("reported_at"), output_field=DurationField())
    base = (Case.objects.filter(when, closed_at__isnull=False, status=CaseStatus.CLOSED).annotate(d=duration)
            .annotate(m=ExtractYear("reported_at", tzinfo=JAKARTA) * 100 + ExtractMonth("reported_at", tzinfo=JAKARTA)))
    bands: dict[str, Any] = {}
    for band, low, high in CLOSURE_BANDS:
        q = Q()
        if low is not None:
            q &= Q(d__gt=low)
        if high is not None:
            q &= Q(d__lte=high)
        bands[band] = Count("pk", filter=q)
    grouped: Any = base.values("m", "organisation_id", "kelurahan_id").annotate(n=Count("pk"), t=Sum("d"), **bands)
    for row in grouped.order_by():
        m, o, k = row["m"], row["organisation_id"], row["kelurahan_id"]
        for band in bands:
            if row[band]:
                yield m, o, k, band, row[band], 0
        yield m, o, k, "", row["n"], _micros(row["t"])


def _micros(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.timedelta):
        return (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
    return int(value)  # SQLite hands back microseconds


# --- writing -------------------------------------------------------------------------------------


def _insert_select_sql(dim: Dimension, when: Q) -> tuple[str, list[Any]]:
    """INSERT … SELECT the grouped base rows of one dimension (no rows travel through Python)."""
    sql, params = _grouped(dim, when).query.sql_with_params()
    table = connection.ops.quote_name(StatsFact._meta.db_table)
    # only the quoted table name is formatted into the statement; values are parameters
    statement = (f"INSERT INTO {table} (month, organisation_id, kelurahan_id, dimension, category, n, total) "  # noqa: S608
                 f"SELECT q.m, q.o, q.k, %s, q.c, q.n, q.t FROM ({sql}) q")
    return statement, [dim.name, *params]


def _write(lo: dt.datetime | None, hi: dt.datetime | None) -> None:
    """The fine facts of one period, one grouped query per dimension (a month's refresh)."""
    with connection.cursor() as cursor:
        for dim in DIMENSIONS:
            cursor.execute(*_insert_select_sql(dim, _when(dim, lo, hi)))
    _write_rows(CLOSURE, _closure_rows(_when_at("reported_at", lo, hi)))


def _write_rows(dimension: str, rows: Iterable[tuple[int, Any, Any, str, int, int]]) -> None:
    StatsFact.objects.bulk_create(
        [StatsFact(month=m, organisation_id=o, kelurahan_id=k, dimension=dimension, category=c, n=n, total=t)
         for m, o, k, c, n, t in rows], batch_size=1000)


def _write_coarse(month: int | None = None) -> None:
    """The case-side and service facts summed over kelurahan (dimension + COARSE), office kept: what a read
    without an area filter sums. A row without an office (a report's deadline, no case yet) keeps its
    kelurahan: the office's scope takes those by the report's region."""
    table = connection.ops.quote_name(StatsFact._meta.db_table)
    names: list[Any] = [*SIDE_DIMENSIONS[CASE_SIDE], *SIDE_DIMENSIONS[SERVICE_SIDE]]
    where, params = f"dimension IN ({', '.join(['%s'] * len(names))})", names
    if month is not None:
        where += " AND month = %s"
        params.append(month)
    kelurahan = "CASE WHEN organisation_id IS NULL THEN kelurahan_id END"
    # only the quoted table name and placeholders are formatted into the statement
    statement = (f"INSERT INTO {table} (month, organisation_id, kelurahan_id, dimension, category, n, total) "  # noqa: S608
                 f"SELECT month, organisation_id, {kelurahan}, dimension || %s, category, SUM(n), SUM(total) "
                 f"FROM {table} WHERE {where} GROUP BY month, organisation_id, {kelurahan}, dimension, category")
    with connection.cursor() as cursor:
        cursor.execute(statement, [COARSE, *params])


def _rebuild_facts(progress: Callable[[int], None]) -> None:
    """Every fact from the base tables in a few set-based passes (the whole rebuild stays in the database).

    The month, office and kelurahan of every case are computed once into a temporary table that each
    dimension joins (the per-dimension queries of :func:`_grouped` compute them once per base row, i.e.
    18 times); the victims and the reports are grouped once by all their categories and each dimension is
    summed from that. The result is row for row what :func:`_write` gives (``tests/test_stats_rollup.py``)."""
    qn = connection.ops.quote_name
    fact = qn(StatsFact._meta.db_table)
    text = "varchar" if connection.vendor == "postgresql" else "text"

    def table(model: Any) -> str:
        return qn(model._meta.db_table)

    def col(model: Any, name: str) -> str:
        return qn(model._meta.get_field(name).column)

    def month_of(column: str) -> Any:
        return Cast(ExtractYear(column, tzinfo=JAKARTA) * 100 + ExtractMonth(column, tzinfo=JAKARTA), IntegerField())

    insert = f"INSERT INTO {fact} (month, organisation_id, kelurahan_id, dimension, category, n, total) "
    case_keys = Case.objects.values(cid=F("pk"), m=month_of("reported_at"), o=F("organisation_id"),
                                    k=F("kelurahan_id"), ch=F("channel"), st=F("status")).order_by()
    report_keys = (Report.objects.values(m=month_of("received_at"), k=F("kelurahan_id"), ch=F("channel"),
                                         st=F("status")).annotate(n=Count("pk")).order_by())
    cp, person, incident = table(CasePerson), table(CasePerson._meta.get_field("person").related_model), table(Incident)
    victims = (f"CREATE TEMPORARY TABLE stats_rebuild_victims AS SELECT k.m, k.o, k.k, v.{col(CasePerson, 'age_group')} "  # noqa: S608
               f"AS ag, p.{col(CasePerson._meta.get_field('person').related_model, 'sex')} AS sx, "
               f"v.{col(CasePerson, 'is_child')} AS child, COUNT(*) AS n FROM {cp} v "
               f"JOIN stats_rebuild_cases k ON k.cid = v.{col(CasePerson, 'case')} "
               f"JOIN {person} p ON p.id = v.{col(CasePerson, 'person')} WHERE v.{col(CasePerson, 'role')} = %s "
               f"GROUP BY k.m, k.o, k.k, v.{col(CasePerson, 'age_group')}, p.{col(CasePerson._meta.get_field('person').related_model, 'sex')}, "
               f"v.{col(CasePerson, 'is_child')}")
    steps: list[tuple[str, list[Any]]] = []

    def temp(name: str, qs: QuerySet[Any]) -> None:
        sql, params = qs.query.sql_with_params()
        steps.append((f"CREATE TEMPORARY TABLE {name} AS {sql}", list(params)))

    def fact_rows(dimension: str, select: str, params: Iterable[Any] = ()) -> None:
        steps.append((insert + select, [dimension, *params]))

    temp("stats_rebuild_cases", case_keys)
    fact_rows("cases", "SELECT m, o, k, %s, NULL, COUNT(*), 0 FROM stats_rebuild_cases GROUP BY m, o, k")
    fact_rows("channel", "SELECT m, o, k, %s, ch, COUNT(*), 0 FROM stats_rebuild_cases GROUP BY m, o, k, ch")
    fact_rows("open", "SELECT m, o, k, %s, NULL, COUNT(*), 0 FROM stats_rebuild_cases WHERE st <> %s GROUP BY m, o, k",
              [CaseStatus.CLOSED])
    steps.append((victims, [CasePerson.Role.VICTIM]))
    fact_rows("victims", "SELECT m, o, k, %s, NULL, SUM(n), 0 FROM stats_rebuild_victims GROUP BY m, o, k")
    fact_rows("child_victims", "SELECT m, o, k, %s, NULL, SUM(n), 0 FROM stats_rebuild_victims WHERE child = %s "
              "GROUP BY m, o, k", [True])
    fact_rows("sex", "SELECT m, o, k, %s, sx, SUM(n), 0 FROM stats_rebuild_victims GROUP BY m, o, k, sx")
    fact_rows("age_group", "SELECT m, o, k, %s, ag, SUM(n), 0 FROM stats_rebuild_victims GROUP BY m, o, k, ag")
    fact_rows("age_sex", "SELECT m, o, k, %s, COALESCE(ag, '') || '|' || COALESCE(sx, ''), SUM(n), 0 "
              "FROM stats_rebuild_victims GROUP BY m, o, k, ag, sx")
    for name, field in (("violence_form", "violence_forms"), ("tpks_form", "tpks_forms"), ("factor", "factors")):
        through = getattr(Incident, field).through
        fact_rows(name, f"SELECT k.m, k.o, k.k, %s, CAST(f.{col(through, 'code')} AS {text}), "  # noqa: S608
                  f"COUNT(DISTINCT i.{col(Incident, 'case')}), 0 FROM {table(through)} f "
                  f"JOIN {incident} i ON i.id = f.{col(through, 'incident')} "
                  f"JOIN stats_rebuild_cases k ON k.cid = i.{col(Incident, 'case')} GROUP BY k.m, k.o, k.k, f.{col(through, 'code')}")
    for name in ("place", "relationship", "met_via", "met_via_platform"):
        fact_rows(name, f"SELECT k.m, k.o, k.k, %s, i.{col(Incident, name)}, COUNT(DISTINCT i.{col(Incident, 'case')}), 0 "  # noqa: S608
                  f"FROM {incident} i JOIN stats_rebuild_cases k ON k.cid = i.{col(Incident, 'case')} "
                  f"GROUP BY k.m, k.o, k.k, i.{col(Incident, name)}")
    temp("stats_rebuild_reports", report_keys)
    fact_rows("reports", "SELECT m, NULL, k, %s, NULL, SUM(n), 0 FROM stats_rebuild_reports GROUP BY m, k")
    fact_rows("report_channel", "SELECT m, NULL, k, %s, ch, SUM(n), 0 FROM stats_rebuild_reports GROUP BY m, k, ch")
    fact_rows("report_status", "SELECT m, NULL, k, %s, st, SUM(n), 0 FROM stats_rebuild_reports GROUP BY m, k, st")
    for dim in DIMENSIONS:  # referrals, deliveries, met deadlines: one grouped statement each over their table
        if dim.side == SERVICE_SIDE:
            steps.append(_insert_select_sql(dim, Q()))
    with connection.cursor() as cursor:
        for statement, params in steps:
            cursor.execute(statement, params)
            if statement.startswith("CREATE") and connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {statement.split()[3]}")  # the planner's view of the new table
            progress(1)
        _write_rows(CLOSURE, _closure_rows(Q()))
        progress(1)
        for name in ("stats_rebuild_cases", "stats_rebuild_victims", "stats_rebuild_reports"):
            cursor.execute(f"DROP TABLE {name}")
        _write_coarse()
        progress(1)


REBUILD_STEPS = 28  # the rebuild's statements (emptying the table included), for the progress bar


def _month_bounds(month: int) -> tuple[dt.datetime, dt.datetime]:
    y, m = divmod(month, 100)
    return StatsFilter.for_month(y, m).bounds


def _lock() -> RollupState:
    state = RollupState.objects.select_for_update().filter(pk=1).first()
    if state is None:
        RollupState.objects.get_or_create(pk=1)
        state = RollupState.objects.select_for_update().get(pk=1)
    return state


def _max_ids() -> tuple[int, int]:
    return (Case.objects.aggregate(m=Max("pk"))["m"] or 0, Report.objects.aggregate(m=Max("pk"))["m"] or 0)


def rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every fact from the base tables (one transaction); returns the number of fact rows.

    ``progress(done, total)`` is called per statement."""
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, REBUILD_STEPS)

    with transaction.atomic():
        state = _lock()
        RollupDirty.objects.all().delete()
        StatsFact.objects.all().delete()
        step(1)
        _rebuild_facts(step)
        state.last_case_id, state.last_report_id = _max_ids()
        state.built_at = state.refreshed_at = timezone.now()
        state.stale = False
        state.save()
        if progress:
            progress(REBUILD_STEPS, REBUILD_STEPS)
        return StatsFact.objects.count()


def refresh_months(months: Iterable[int]) -> None:
    """Recompute the facts of these months (caller holds the lock)."""
    for month in sorted(set(months)):
        StatsFact.objects.filter(month=month).delete()
        _write(*_month_bounds(month))
        _write_coarse(month)


def _months_of(model: Any, ids: set[int], column: str) -> set[int]:
    if not ids:
        return set()
    return _months(model.objects.filter(pk__in=ids), column)


def _months(rows: QuerySet[Any], column: str, *, by_date: bool = False) -> set[int]:
    expr = _month_expr(column, by_date=by_date)
    return set(rows.annotate(m=expr).values_list("m", flat=True).order_by().distinct())


def _service_months(case_ids: set[int], report_ids: set[int]) -> set[int]:
    """The months of the deadlines, referrals and deliveries of these cases and reports (placed by their own
    dates, not the case's): a service announces its case, and a change of the case (its office, its kelurahan)
    moves them too. No service deletes them or changes their dates, except the unmet police clock withdrawn
    with the consent, which starts when its case was reported (the case's own month)."""
    if not case_ids and not report_ids:
        return set()
    months = _months(Deadline.objects.filter(Q(case_id__in=case_ids) | Q(report_id__in=report_ids)), "starts_at")
    if case_ids:
        months |= _months(Referral.objects.filter(case_id__in=case_ids), "created_at")
        months |= _months(ServiceDelivery.objects.filter(referral__case_id__in=case_ids), "delivered_on", by_date=True)
    return months


def _probe() -> RollupState | None:
    """The rollup state with, in the same query, whether writes are queued and the newest case and report ids
    (one round trip for the common case of a read that finds nothing to do)."""
    newest_case = Case.objects.order_by("-pk").values("pk")[:1]
    newest_report = Report.objects.order_by("-pk").values("pk")[:1]
    return (RollupState.objects.filter(pk=1)
            .annotate(queued=Exists(RollupDirty.objects.all()), newest_case=Subquery(newest_case),
                      newest_report=Subquery(newest_report))
            .first())


def pending() -> int:
    """How many writes are queued (periodic job, tests)."""
    return RollupDirty.objects.count()


def is_stale() -> bool:
    return RollupState.objects.filter(pk=1, stale=True).exists()


def flush() -> bool:
    """Bring the rollups up to date with the queued writes; False when they cannot be used (read live)."""
    state = _probe()
    if state is None or state.stale:
        return False
    if not state.queued:  # type: ignore[attr-defined]
        newest = (state.newest_case or 0, state.newest_report or 0)  # type: ignore[attr-defined]
        return newest == (state.last_case_id, state.last_report_id)
    with transaction.atomic():
        state = _lock()
        if state.stale:
            return False
        # The queue is read once and exactly the rows read are deleted: a writer whose row has a lower id but
        # commits after this read stays queued for the next flush (a DELETE by id range would see it, as each
        # statement takes a new snapshot, and drop it without refreshing its months).
        seen = list(RollupDirty.objects.values_list("pk", "case_id", "report_id"))
        case_ids = {int(c) for _, c, _ in seen if c}
        report_ids = {int(r) for _, _, r in seen if r}
        if case_ids:  # a victim's sex is the person's: every case of the same victims counts it
            persons = CasePerson.objects.filter(case_id__in=case_ids, role=CasePerson.Role.VICTIM).values("person_id")
            case_ids |= set(CasePerson.objects.filter(person_id__in=persons, role=CasePerson.Role.VICTIM)
                            .values_list("case_id", flat=True))
        # a case service also moves its reports (opened from, attached to): their months too
        report_ids |= set(Report.objects.filter(case_id__in=case_ids).values_list("pk", flat=True)) if case_ids else set()
        months = _months_of(Case, case_ids, "reported_at") | _months_of(Report, report_ids, "received_at")
        months |= _service_months(case_ids, report_ids)
        # rows between the ids the rollups knew and the newest queued one that nobody queued were loaded
        # behind the services' back: the rollups cannot know their months (stale until rebuilt)
        new_case, new_report = max(case_ids, default=0), max(report_ids, default=0)
        unknown = (Case.objects.filter(pk__gt=state.last_case_id, pk__lte=new_case).exclude(pk__in=case_ids).exists()
                   or Report.objects.filter(pk__gt=state.last_report_id, pk__lte=new_report)
                   .exclude(pk__in=report_ids).exists())
        if unknown:
            state.stale = True
            state.save(update_fields=["stale"])
            return False
        refresh_months(months)
        ids = [pk for pk, _, _ in seen]
        for start in range(0, len(ids), 1000):  # bounded statements (SQLite's variable limit)
            RollupDirty.objects.filter(pk__in=ids[start:start + 1000]).delete()
        state.last_case_id = max(state.last_case_id, new_case)
        state.last_report_id = max(state.last_report_id, new_report)
        state.refreshed_at = timezone.now()
        state.save()
        return _max_ids() == (state.last_case_id, state.last_report_id)


# --- the handler of COUNTED_DATA_CHANGED ---------------------------------------------------------


def mark_changed(*, case_ids: Iterable[int] = (), report_ids: Iterable[int] = (), **_: Any) -> None:
    """Queue the written cases and reports (in the writer's transaction); without ids: stale until rebuilt."""
    cases, reports = [c for c in case_ids if c], [r for r in report_ids if r]
    if not RollupState.objects.filter(pk=1, stale=False).exists():
        return  # never built, or already stale: the engine reads live anyway
    if not cases and not reports:
        RollupState.objects.filter(pk=1).update(stale=True)
        return
    RollupDirty.objects.bulk_create([RollupDirty(case_id=c) for c in cases] +
                                    [RollupDirty(report_id=r) for r in reports])


def rebuild_after_bulk_load(**_: Any) -> None:
    """The handler of ``BULK_LOADED`` (restore, imports): rebuild the rollups if they are in use.

    An installation that never built them (or a backup of one) reads live, which is right without them."""
    if RollupState.objects.filter(built_at__isnull=False).exists():
        rebuild()


# --- reading -------------------------------------------------------------------------------------

_session: contextvars.ContextVar[bool | None] = contextvars.ContextVar("stats_rollup_ready", default=None)
# within a session: fact sums already read, per (side, scope, months, grouping); one query serves every
# dimension of a side, so a whole summary costs a handful of queries instead of one per breakdown
_bundles: contextvars.ContextVar[dict[Any, Any] | None] = contextvars.ContextVar(
    "stats_rollup_bundles", default=None)


@contextlib.contextmanager
def session() -> Iterator[None]:
    """Check (and flush) the rollups once for a batch of reads, e.g. a whole dashboard summary."""
    known = _session.get()
    token = _session.set(flush() if known is None else known)
    bundles = _bundles.set({} if _bundles.get() is None else _bundles.get())
    try:
        yield
    finally:
        _bundles.reset(bundles)
        _session.reset(token)


@contextlib.contextmanager
def live() -> Iterator[None]:
    """Read the base tables even where the rollups could answer (tests, benchmarks)."""
    token = _session.set(False)
    try:
        yield
    finally:
        _session.reset(token)


def ready() -> bool:
    known = _session.get()
    return flush() if known is None else known


def split(flt: StatsFilter) -> tuple[list[int], list[tuple[dt.date, dt.date]]]:
    """Whole months of the period (yyyymm) and the day ranges of partly covered months."""
    months: list[int] = []
    partial: list[tuple[dt.date, dt.date]] = []
    y, m = flt.start.year, flt.start.month
    while (y, m) <= (flt.end.year, flt.end.month):
        first, last = dt.date(y, m, 1), month_end(y, m)
        lo, hi = max(first, flt.start), min(last, flt.end)
        if (lo, hi) == (first, last):
            months.append(y * 100 + m)
        else:
            partial.append((lo, hi))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months, partial


def _area_ok(code: str | None, area: str) -> bool:
    return bool(code) and (code == area or str(code).startswith(area + "."))


def _region_ok(code: str | None, region: str, home: str) -> bool:
    if code is None:
        return region == home
    return str(code).startswith(region + ".")


def _region_q(region: str, home: str) -> Q:
    q = Q(kelurahan_id__startswith=region + ".")
    return q | Q(kelurahan_id__isnull=True) if region == home else q


def _fact_q(flt: StatsFilter, side: str, home: str) -> Q:
    q = Q()
    if side == CASE_SIDE and flt.organisation_id is not None:
        q &= Q(organisation_id=flt.organisation_id)
    if side == REPORT_SIDE and flt.report_region:
        q &= _region_q(flt.report_region, home)
    if side == SERVICE_SIDE and flt.organisation_id is not None:  # the office's, and reports' clocks in its region
        caseless = Q(organisation_id__isnull=True)
        if flt.report_region:
            caseless &= _region_q(flt.report_region, home)
        q &= Q(organisation_id=flt.organisation_id) | caseless
    if flt.area:
        q &= Q(kelurahan_id=flt.area) | Q(kelurahan_id__startswith=flt.area + ".")
    return q


def counts(flt: StatsFilter, dimension: str, by: tuple[str, ...] = ("c",), *, home: str,
           with_total: bool = False) -> dict[tuple[Any, ...], list[int]]:
    """Sums of ``n`` (and ``total``) per ``by`` key (``m`` month, ``k`` kelurahan, ``c`` category) for the
    period and scope of ``flt``: whole months from the facts, partly covered months live."""
    side = _side(dimension)
    months, partial = split(flt)
    out: dict[tuple[Any, ...], list[int]] = {}

    def add(key: tuple[Any, ...], n: int, total: int) -> None:
        cell = out.setdefault(key, [0, 0])
        cell[0] += n
        cell[1] += total

    if months:
        for key, (n, total) in _fact_sums(flt, side, dimension, by, months, home).items():
            add(key, n, total)
    for lo_day, hi_day in partial:
        lo, hi = StatsFilter(start=lo_day, end=hi_day).bounds
        for m, o, k, c, n, total in _live_rows(dimension, lo, hi, flt):
            if _in_scope(flt, side, o, k, home):
                add(tuple({"m": m, "k": k, "c": c}[b] for b in by), n, total)
    return out


def _in_scope(flt: StatsFilter, side: str, o: Any, k: Any, home: str) -> bool:
    """What :func:`_fact_q` selects, for one live row."""
    org = flt.organisation_id
    if side == CASE_SIDE and org is not None and o != org:
        return False
    if side == REPORT_SIDE and flt.report_region and not _region_ok(k, flt.report_region, home):
        return False
    if side == SERVICE_SIDE and org is not None and o != org and not (
            o is None and (not flt.report_region or _region_ok(k, flt.report_region, home))):
        return False
    return not flt.area or _area_ok(k, flt.area)


SIDE_DIMENSIONS = {
    CASE_SIDE: [d.name for d in DIMENSIONS if d.side == CASE_SIDE] + [CLOSURE],
    REPORT_SIDE: [d.name for d in DIMENSIONS if d.side == REPORT_SIDE],
    SERVICE_SIDE: [d.name for d in DIMENSIONS if d.side == SERVICE_SIDE],
}
def _side(dimension: str) -> str:
    return CASE_SIDE if dimension == CLOSURE else BY_NAME[dimension].side


def _fact_sums(flt: StatsFilter, side: str, dimension: str, by: tuple[str, ...], months: list[int],
               home: str) -> dict[tuple[Any, ...], tuple[int, int]]:
    cache = _bundles.get()
    if cache is None:  # a single read: this dimension alone
        return _query_sums(flt, side, home, months, by, dimension=dimension)
    if "k" in by:
        return _kelurahan_sums(cache, flt, side, dimension, by, months, home)
    return _bundle_sums(cache, flt, side, dimension, by, months, home)


_COLUMNS = {"m": "month", "k": "kelurahan_id", "c": "category"}


def _query_sums(flt: StatsFilter, side: str, home: str, months: Iterable[int], by: tuple[str, ...], *,
                dimension: str | None = None) -> dict[tuple[Any, ...], tuple[int, int]]:
    """Sums of n and total per (dimension, *by) over ``months``; every dimension of the side when none given.

    Without an area filter or a kelurahan grouping the case side reads the coarse rows (summed over kelurahan
    by the rebuild): a few hundred rows per month instead of thousands."""
    coarse = side != REPORT_SIDE and not flt.area and "k" not in by
    suffix = COARSE if coarse else ""
    facts = StatsFact.objects.filter(_fact_q(flt, side, home), month__in=sorted(set(months)))
    facts = (facts.filter(dimension=dimension + suffix) if dimension
             else facts.filter(dimension__in=[d + suffix for d in SIDE_DIMENSIONS[side]]))
    fields = ["dimension", *(_COLUMNS[b] for b in by)]
    rows: dict[tuple[Any, ...], tuple[int, int]] = {}
    for row in facts.values(*fields).annotate(s=Sum("n"), t=Sum("total")).order_by():
        row["dimension"] = row["dimension"].removesuffix(COARSE) if coarse else row["dimension"]
        rows[tuple(row[f] for f in fields)] = (int(row["s"] or 0), int(row["t"] or 0))
    if dimension:
        return {k[1:]: v for k, v in rows.items()}
    return rows


def _scope(flt: StatsFilter, side: str) -> tuple[Any, ...]:
    return (side, flt.organisation_id, flt.report_region, flt.area)


def _bundle_sums(cache: dict[Any, Any], flt: StatsFilter, side: str, dimension: str, by: tuple[str, ...],
                 months: list[int], home: str) -> dict[tuple[Any, ...], tuple[int, int]]:
    """From one query per side and scope: every dimension per (month, category), for the months asked and the
    same months a year earlier (the dashboard's comparison column), fetched once per session."""
    bundle = cache.setdefault(("bundle", *_scope(flt, side)), {"covered": set(), "rows": {}})
    missing = set(months) - bundle["covered"]
    if missing:
        fetch = (missing | {m - 100 for m in missing}) - bundle["covered"]
        for (dim, month, category), value in _query_sums(flt, side, home, fetch, ("m", "c")).items():
            bundle["rows"].setdefault(dim, []).append((month, category, value))
        bundle["covered"] |= fetch
    wanted = set(months)
    out: dict[tuple[Any, ...], tuple[int, int]] = {}
    for month, category, (n, total) in bundle["rows"].get(dimension, ()):
        if month in wanted:
            key = tuple(month if b == "m" else category for b in by)
            old = out.get(key, (0, 0))
            out[key] = (old[0] + n, old[1] + total)
    return out


def _kelurahan_sums(cache: dict[Any, Any], flt: StatsFilter, side: str, dimension: str, by: tuple[str, ...],
                    months: list[int], home: str) -> dict[tuple[Any, ...], tuple[int, int]]:
    """Per kelurahan (large groupings): one dimension at a time, the months asked and a year earlier in one query."""
    key = ("k", *_scope(flt, side), dimension, by, tuple(months))
    if key not in cache:
        earlier = [m - 100 for m in months]
        fields = [_COLUMNS[b] for b in by]
        now_q, then_q = Q(month__in=months), Q(month__in=earlier)
        rows = (StatsFact.objects.filter(_fact_q(flt, side, home), month__in=sorted(set(months) | set(earlier)),
                                         dimension=dimension)
                .values(*fields)
                .annotate(s=Sum("n", filter=now_q), t=Sum("total", filter=now_q),
                          ps=Sum("n", filter=then_q), pt=Sum("total", filter=then_q)).order_by())
        now: dict[tuple[Any, ...], tuple[int, int]] = {}
        then: dict[tuple[Any, ...], tuple[int, int]] = {}
        for row in rows:
            group = tuple(row[f] for f in fields)
            if row["s"] is not None:
                now[group] = (int(row["s"]), int(row["t"] or 0))
            if row["ps"] is not None:
                then[group] = (int(row["ps"]), int(row["pt"] or 0))
        cache[key] = now
        cache.setdefault(("k", *_scope(flt, side), dimension, by, tuple(earlier)), then)
    return dict(cache[key])


def memo(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """``compute()`` once per session (e.g. the region list several breakdowns need); every call outside one."""
    cache = _bundles.get()
    if cache is None:
        return compute()
    full = ("memo", *key)
    if full not in cache:
        cache[full] = compute()
    return cache[full]


def _live_rows(dimension: str, lo: dt.datetime, hi: dt.datetime, flt: StatsFilter) -> list[tuple[Any, ...]]:
    """The live rows of a partly covered month. Within a session every dimension of a side comes from one
    UNION ALL query per day range (the dashboard's default period ends today: its current month, and the
    same days a year earlier, are read live)."""
    cache = _bundles.get()
    if cache is None:
        return list(_live(dimension, lo, hi, flt))
    side = _side(dimension)
    org = flt.organisation_id if side != REPORT_SIDE else None
    key = ("live", side, lo, hi, org, dimension if dimension == CLOSURE else None)
    if key not in cache:
        if dimension == CLOSURE:
            cache[key] = {CLOSURE: list(_live(CLOSURE, lo, hi, flt))}
        else:
            parts = []
            for dim in DIMENSIONS:
                if dim.side == side:
                    when = _when(dim, lo, hi)
                    if org is not None:
                        when &= _org_q(dim, org)
                    parts.append(_grouped(dim, when, labelled=True))
            rows: dict[str, list[tuple[Any, ...]]] = {}
            for row in parts[0].union(*parts[1:], all=True):
                rows.setdefault(row["d"], []).append((row["m"], row["o"], row["k"], row["c"], row["n"], _micros(row["t"])))
            cache[key] = rows
    return list(cache[key].get(dimension, ()))


def _live(dimension: str, lo: dt.datetime, hi: dt.datetime, flt: StatsFilter) -> Iterator[tuple[Any, ...]]:
    if dimension == CLOSURE:
        yield from _closure_rows(_when_at("reported_at", lo, hi))
        return
    dim = BY_NAME[dimension]
    when = _when(dim, lo, hi)
    if dim.side != REPORT_SIDE and flt.organisation_id is not None:
        when &= _org_q(dim, flt.organisation_id)
    for row in _grouped(dim, when):
        yield row["m"], row["o"], row["k"], row["c"], row["n"], _micros(row["t"])
