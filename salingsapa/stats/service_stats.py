"""Service figures: deadline (SLA) compliance, time to first contact, referrals and services delivered.

Counted from ``cases.Deadline`` (first-contact clocks per report, UU TPKS Pasal 41 police clock per
case), ``network.Referral`` and ``network.ServiceDelivery``. Aggregate queries only. Placement in a
period: a deadline by ``starts_at``, a referral by ``created_at``, a delivery by ``delivered_on``
(all in Asia/Jakarta). These figures follow the period, the office and the area filter; the form
and age-group filters do not apply to them.

A referral's outcome columns count what happened to it, not only the state it is in now: "accepted"
is every referral the partner ever accepted (an accepted referral later completed, or revoked after
acceptance, still counts), read from its stamps — ``responded_at`` is set by an accept or a decline,
so answered and not declined means accepted (and accepted or completed now, whatever the stamps). "Declined" and "completed" are final states; "still
running" is the state now, as its label says.

Where the rollups can be read (``stats/rollup.py``: dimensions ``sla``, ``referral``, ``delivery``), the
figures are summed from them, identical to the live queries below: met deadlines, referrals and
deliveries per month, office and kelurahan, and only the clocks still open counted live — "overdue" or
"still running" depends on the moment (a partial index holds the open clocks, ``cases.0011``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Value, When
from django.db.models import Case as DbCase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salingsapa.core import codelists
from salingsapa.network.models import delivery_kind_label
from salingsapa.stats import rollup
from salingsapa.stats.filters import StatsFilter, _area_q
from salingsapa.stats.service_tables import ServiceTable, service_tables

RISK_LABELS = {"high": _("risiko tinggi"), "medium": _("risiko sedang"), "low": _("risiko rendah"),
               "": _("belum ditriase")}


@dataclass
class DeadlineRow:
    key: str
    label: str
    total: int
    on_time: int
    late: int
    overdue_open: int
    pending: int
    avg_hours_to_met: float | None

    @property
    def compliance_pct(self) -> float | None:
        """Share met on time among clocks that are decided (met, or already past due)."""
        decided = self.on_time + self.late + self.overdue_open
        return round(self.on_time * 100 / decided, 1) if decided else None


@dataclass
class ReferralRow:
    key: str
    label: str
    total: int
    accepted: int
    declined: int
    completed: int
    active: int
    responded_on_time: int
    responded_late: int


@dataclass
class ServiceStats:
    deadlines: list[DeadlineRow]
    referrals: list[ReferralRow]
    deliveries: list[tuple[str, int]]

    @property
    def referral_total(self) -> int:
        return sum(r.total for r in self.referrals)

    @property
    def delivery_total(self) -> int:
        return sum(n for _k, n in self.deliveries)

    @property
    def tables(self) -> list[ServiceTable]:
        """The figures as the tables of ``stats/_services.html`` (dashboard and PDF report)."""
        return service_tables(self)


def _range(flt: StatsFilter, field: str) -> Q:
    lo, hi = flt.bounds
    return Q(**{f"{field}__gte": lo, f"{field}__lt": hi})


def _deadline_scope(flt: StatsFilter) -> Q:
    q = Q()
    if flt.organisation_id is not None:
        report_area = Q(case__isnull=True)
        if flt.report_region:
            area = Q(report__kelurahan__code__startswith=flt.report_region + ".")
            if flt.report_region == settings.HOME_REGION_CODE:
                area |= Q(report__kelurahan__isnull=True)
            report_area &= area
        q &= Q(case__organisation_id=flt.organisation_id) | report_area
    if flt.area:
        q &= _area_q("case__kelurahan__code", flt.area) | (Q(case__isnull=True) & _area_q("report__kelurahan__code", flt.area))
    return q


def _deadlines(flt: StatsFilter, where: Q, **counts: Any) -> Any:
    """The clocks started in the period (and ``where``), grouped by (kind, group_risk), with ``counts``."""
    Deadline = apps.get_model("cases", "Deadline")
    # first-contact clocks by risk level; every other clock (the police clock) in one row whatever the case's risk
    group_risk = DbCase(When(kind=Deadline.Kind.FIRST_CONTACT, then=F("risk_level")), default=Value(""))
    return (Deadline.objects.filter(_range(flt, "starts_at"), _deadline_scope(flt), where).annotate(group_risk=group_risk)
            .values("kind", "group_risk").annotate(**counts).order_by())


def _open_counts(now: dt.datetime) -> dict[str, Any]:
    return {"overdue_open": Count("pk", filter=Q(met_at__isnull=True, due_at__lt=now)),
            "pending": Count("pk", filter=Q(met_at__isnull=True, due_at__gte=now))}


def _deadline_row(kind: str, group_risk: str, total: int, on_time: int, late: int, overdue_open: int, pending: int,
                  avg: dt.timedelta | None) -> DeadlineRow:
    Deadline = apps.get_model("cases", "Deadline")
    label = str(dict(Deadline.Kind.choices).get(kind, kind))
    key = kind
    if kind == Deadline.Kind.FIRST_CONTACT:
        label = f"{label} — {RISK_LABELS.get(group_risk or '', group_risk)!s}"
        key = f"{kind}:{group_risk or '-'}"
    return DeadlineRow(key, label, total, on_time, late, overdue_open, pending,
                       round(avg.total_seconds() / 3600, 1) if avg is not None else None)


def _deadline_order(rows: list[DeadlineRow]) -> list[DeadlineRow]:
    order = {"first_contact:high": 0, "first_contact:medium": 1, "first_contact:low": 2, "first_contact:-": 3}
    return sorted(rows, key=lambda d: (order.get(d.key, 9), d.key))


def deadline_rows(flt: StatsFilter, *, now: dt.datetime | None = None) -> list[DeadlineRow]:
    if rollup.ready():
        return _rolled_deadline_rows(flt, now or timezone.now())
    now = now or timezone.now()
    took = ExpressionWrapper(F("met_at") - F("starts_at"), output_field=DurationField())
    rows = _deadlines(
        flt, Q(),
        total=Count("pk"),
        on_time=Count("pk", filter=Q(met_at__isnull=False, met_at__lte=F("due_at"))),
        late=Count("pk", filter=Q(met_at__isnull=False, met_at__gt=F("due_at"))),
        avg=Avg(took, filter=Q(met_at__isnull=False)),
        **_open_counts(now),
    )
    out = []
    for r in rows:
        avg = r["avg"]
        if isinstance(avg, (int, float)):
            avg = dt.timedelta(microseconds=avg)
        out.append(_deadline_row(r["kind"], r["group_risk"], r["total"], r["on_time"], r["late"], r["overdue_open"],
                                 r["pending"], avg))
    return _deadline_order(out)


def open_deadlines(flt: StatsFilter, now: dt.datetime) -> list[dict[str, Any]]:
    """The clocks of the period still open, overdue or still running as of ``now`` (the live part of the figures
    where the rollups hold the rest; ``bench/stats_scale.py`` times it alone)."""
    return list(_deadlines(flt, Q(met_at__isnull=True), **_open_counts(now)))


def _rolled_deadline_rows(flt: StatsFilter, now: dt.datetime) -> list[DeadlineRow]:
    """Met clocks from the rollups (count, on time, summed time to met), the open ones live: they are few, and
    a partial index (``deadline_open_starts_idx``) finds those of the period without reading the met ones."""
    groups: dict[tuple[str, str], list[int]] = {}  # met, on time, late, µs to met, overdue open, pending
    for (category,), (n, micros) in rollup.counts(flt, rollup.SLA, ("c",), home=settings.HOME_REGION_CODE).items():
        kind, risk, state = str(category).split("|")
        cell = groups.setdefault((kind, risk), [0, 0, 0, 0, 0, 0])
        cell[0] += n
        cell[1 if state == "t" else 2] += n
        cell[3] += micros
    for r in open_deadlines(flt, now):
        cell = groups.setdefault((r["kind"], r["group_risk"] or ""), [0, 0, 0, 0, 0, 0])
        cell[4] += r["overdue_open"]
        cell[5] += r["pending"]
    return _deadline_order([
        _deadline_row(kind, risk, met + overdue + pending, on_time, late, overdue, pending,
                      dt.timedelta(microseconds=micros / met) if met else None)
        for (kind, risk), (met, on_time, late, micros, overdue, pending) in groups.items()])


def referral_rows(flt: StatsFilter) -> list[ReferralRow]:
    Referral = apps.get_model("network", "Referral")
    if rollup.ready():
        return _referral_order(_rolled_referral_rows(flt, Referral.Status))
    q = _range(flt, "created_at")
    if flt.organisation_id is not None:
        q &= Q(case__organisation_id=flt.organisation_id)
    if flt.area:
        q &= _area_q("case__kelurahan__code", flt.area)
    S = Referral.Status
    rows = (
        Referral.objects.filter(q)
        .values("service")
        .annotate(
            total=Count("pk"),
            accepted=Count("pk", filter=Q(status__in=[S.ACCEPTED, S.COMPLETED])
                           | (Q(responded_at__isnull=False) & ~Q(status=S.DECLINED))),
            declined=Count("pk", filter=Q(status=S.DECLINED)),
            completed=Count("pk", filter=Q(status=S.COMPLETED)),
            active=Count("pk", filter=Q(status__in=[S.SENT, S.ACCEPTED])),
            on_time=Count("pk", filter=Q(responded_at__isnull=False, responded_at__lte=F("respond_by"))),
            late=Count("pk", filter=Q(responded_at__isnull=False, responded_at__gt=F("respond_by"))),
        )
        .order_by()
    )
    return _referral_order([
        ReferralRow(r["service"], codelists.label("service", r["service"]), r["total"], r["accepted"], r["declined"],
                    r["completed"], r["active"], r["on_time"], r["late"])
        for r in rows
    ])


def _referral_order(rows: list[ReferralRow]) -> list[ReferralRow]:
    known = codelists.slugs("service")
    return sorted(rows, key=lambda r: (known.index(r.key) if r.key in known else 99, r.key))


def _rolled_referral_rows(flt: StatsFilter, S: Any) -> list[ReferralRow]:
    """From the rollups' "service|status|answered" counts, by the same rules as the live query's filters."""
    rows: dict[str, ReferralRow] = {}
    for (category,), (n, _t) in rollup.counts(flt, "referral", ("c",), home=settings.HOME_REGION_CODE).items():
        service, status, answered = str(category).split("|")
        r = rows.setdefault(service, ReferralRow(service, codelists.label("service", service), 0, 0, 0, 0, 0, 0, 0))
        r.total += n
        r.accepted += n if status in (S.ACCEPTED, S.COMPLETED) or (answered and status != S.DECLINED) else 0
        r.declined += n if status == S.DECLINED else 0
        r.completed += n if status == S.COMPLETED else 0
        r.active += n if status in (S.SENT, S.ACCEPTED) else 0
        r.responded_on_time += n if answered == "t" else 0
        r.responded_late += n if answered == "l" else 0
    return list(rows.values())


def delivery_rows(flt: StatsFilter) -> list[tuple[str, int]]:
    """Deliveries by kind, the most frequent first (ties by kind, sorted here: the same order either way)."""
    if rollup.ready():
        rows = [(str(kind), n) for (kind,), (n, _t) in
                rollup.counts(flt, "delivery", ("c",), home=settings.HOME_REGION_CODE).items() if n]
    else:
        ServiceDelivery = apps.get_model("network", "ServiceDelivery")
        q = Q(delivered_on__gte=flt.start, delivered_on__lte=flt.end)
        if flt.organisation_id is not None:
            q &= Q(referral__case__organisation_id=flt.organisation_id)
        if flt.area:
            q &= _area_q("referral__case__kelurahan__code", flt.area)
        rows = [(str(kind), n) for kind, n in
                ServiceDelivery.objects.filter(q).values_list("kind").annotate(n=Count("pk")).order_by()]
    return [(delivery_kind_label(kind), n) for kind, n in sorted(rows, key=lambda r: (-r[1], r[0]))]


def service_stats(flt: StatsFilter, *, now: dt.datetime | None = None) -> ServiceStats:
    with rollup.session():  # the rollups checked once for the three
        return ServiceStats(deadline_rows(flt, now=now), referral_rows(flt), delivery_rows(flt))
