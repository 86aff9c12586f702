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
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Value, When
from django.db.models import Case as DbCase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salingsapa.core import codelists
from salingsapa.network.models import delivery_kind_label
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


def deadline_rows(flt: StatsFilter, *, now: dt.datetime | None = None) -> list[DeadlineRow]:
    Deadline = apps.get_model("cases", "Deadline")
    now = now or timezone.now()
    took = ExpressionWrapper(F("met_at") - F("starts_at"), output_field=DurationField())
    # first-contact clocks by risk level; every other clock (the police clock) in one row whatever the case's risk
    group_risk = DbCase(When(kind=Deadline.Kind.FIRST_CONTACT, then=F("risk_level")), default=Value(""))
    rows = (
        Deadline.objects.filter(_range(flt, "starts_at"), _deadline_scope(flt))
        .annotate(group_risk=group_risk)
        .values("kind", "group_risk")
        .annotate(
            total=Count("pk"),
            on_time=Count("pk", filter=Q(met_at__isnull=False, met_at__lte=F("due_at"))),
            late=Count("pk", filter=Q(met_at__isnull=False, met_at__gt=F("due_at"))),
            overdue_open=Count("pk", filter=Q(met_at__isnull=True, due_at__lt=now)),
            pending=Count("pk", filter=Q(met_at__isnull=True, due_at__gte=now)),
            avg=Avg(took, filter=Q(met_at__isnull=False)),
        )
        .order_by()
    )
    kinds = dict(Deadline.Kind.choices)
    out = []
    for r in rows:
        avg = r["avg"]
        if isinstance(avg, (int, float)):
            avg = dt.timedelta(microseconds=avg)
        kind = r["kind"]
        label = str(kinds.get(kind, kind))
        key = kind
        if kind == Deadline.Kind.FIRST_CONTACT:
            label = f"{label} — {RISK_LABELS.get(r['group_risk'] or '', r['group_risk'])!s}"
            key = f"{kind}:{r['group_risk'] or '-'}"
        out.append(DeadlineRow(key, label, r["total"], r["on_time"], r["late"], r["overdue_open"], r["pending"],
                               round(avg.total_seconds() / 3600, 1) if avg is not None else None))
    order = {"first_contact:high": 0, "first_contact:medium": 1, "first_contact:low": 2, "first_contact:-": 3}
    return sorted(out, key=lambda d: (order.get(d.key, 9), d.key))


def referral_rows(flt: StatsFilter) -> list[ReferralRow]:
    Referral = apps.get_model("network", "Referral")
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
    known = codelists.slugs("service")
    out = [
        ReferralRow(r["service"], codelists.label("service", r["service"]), r["total"], r["accepted"], r["declined"],
                    r["completed"], r["active"], r["on_time"], r["late"])
        for r in rows
    ]
    return sorted(out, key=lambda r: (known.index(r.key) if r.key in known else 99, r.key))


def delivery_rows(flt: StatsFilter) -> list[tuple[str, int]]:
    ServiceDelivery = apps.get_model("network", "ServiceDelivery")
    q = Q(delivered_on__gte=flt.start, delivered_on__lte=flt.end)
    if flt.organisation_id is not None:
        q &= Q(referral__case__organisation_id=flt.organisation_id)
    if flt.area:
        q &= _area_q("referral__case__kelurahan__code", flt.area)
    rows = ServiceDelivery.objects.filter(q).values_list("kind").annotate(n=Count("pk")).order_by("-n", "kind")
    return [(delivery_kind_label(str(kind)), n) for kind, n in rows]


def service_stats(flt: StatsFilter, *, now: dt.datetime | None = None) -> ServiceStats:
    return ServiceStats(deadline_rows(flt, now=now), referral_rows(flt), delivery_rows(flt))
