"""Reads for field sessions: which visits a user may record on, a visit's sessions, and the counts
the statistics use (``field_counts``; ``stats`` sits above this layer and may call it)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone

from salingsapa.accounts.users import AnyUser, signed_in
from salingsapa.core import codelists
from salingsapa.core.models import Region
from salingsapa.fieldwork.models import FieldSession
from salingsapa.intake.access import reports_for
from salingsapa.outreach.models import Visit

# The field page lists visits from this many days back (a team syncing late still finds its visit)
# up to this many days ahead.
DAYS_BACK = 14
DAYS_AHEAD = 7


def may_record(user: AnyUser, visit: Visit) -> bool:
    """Lead-agency casework staff on any visit that is not cancelled; anyone else only on a visit whose
    team they are on."""
    staff = signed_in(user)
    if staff is None or visit.status == Visit.Status.CANCELLED:
        return False
    if staff.is_lead_agency_staff:
        return True
    return visit.team.filter(user=staff).exists()


def visits_for_recording(user: AnyUser) -> QuerySet[Visit]:
    """Visits the user may record sessions on (any date; the field page narrows to the near ones)."""
    staff = signed_in(user)
    if staff is None:
        return Visit.objects.none()
    visits = Visit.objects.exclude(status=Visit.Status.CANCELLED)
    if not staff.is_lead_agency_staff:
        visits = visits.filter(team__user=staff).distinct()
    return visits.select_related("kelurahan", "kelurahan__parent")


def visits_near(user: AnyUser, *, today: dt.date | None = None) -> QuerySet[Visit]:
    day = today or timezone.localdate()
    return visits_for_recording(user).filter(date__gte=day - dt.timedelta(days=DAYS_BACK),
                                             date__lte=day + dt.timedelta(days=DAYS_AHEAD)).order_by("date", "start_time")


def sessions_for(user: AnyUser) -> QuerySet[FieldSession]:
    """Sessions a user may list: lead-agency staff all; a team member those of their visits.
    Listing shows codes and counts only; a disclosure's content is read on its report page
    (``intake.access.access_report``, audited)."""
    staff = signed_in(user)
    if staff is None:
        return FieldSession.objects.none()
    if staff.is_lead_agency_staff:
        return FieldSession.objects.all()
    return FieldSession.objects.filter(visit__team__user=staff).distinct()


@dataclass
class VisitSummary:
    total: int
    consultations: int
    disclosures: int
    by_topic: list[tuple[str, int]]
    by_sex: list[tuple[str, int]]
    by_age: list[tuple[str, int]]
    disclosure_rows: list[dict[str, Any]] = field(default_factory=list)


def _labelled(list_name: str, counts: Counter[str]) -> list[tuple[str, int]]:
    return [(codelists.label(list_name, slug), counts[slug]) for slug in codelists.slugs(list_name) if counts[slug]]


def visit_summary(user: AnyUser, visit: Visit) -> VisitSummary:
    """Counts of a visit's sessions by topic, sex and age group, and its disclosures; each disclosure
    links to its report only when the user may open that report (``intake.access.reports_for``)."""
    sessions = list(sessions_for(user).filter(visit=visit).select_related("recorded_by"))
    consultations = [s for s in sessions if s.kind == FieldSession.Kind.CONSULTATION]
    disclosures = [s for s in sessions if s.kind == FieldSession.Kind.DISCLOSURE]
    visible = set(reports_for(user).filter(pk__in=[s.report_id for s in disclosures]).values_list("pk", flat=True))
    return VisitSummary(
        total=len(sessions), consultations=len(consultations), disclosures=len(disclosures),
        by_topic=_labelled("counselling_topic", Counter(s.topic for s in consultations)),
        by_sex=_labelled("sex", Counter(s.sex for s in sessions)),
        by_age=_labelled("age_group", Counter(s.age_group for s in sessions)),
        disclosure_rows=[{"session": s, "report_id": s.report_id if s.report_id in visible else None}
                         for s in disclosures],
    )


@dataclass
class FieldCounts:
    """Field sessions counted one way each: ``rows`` are (key, label, count) in a stable order."""

    total: int
    by_kind: list[tuple[str, str, int]]
    by_kecamatan: list[tuple[str, str, int]]
    by_kelurahan: list[tuple[str, str, int]]
    by_topic: list[tuple[str, str, int]]
    by_sex: list[tuple[str, str, int]]
    by_age_group: list[tuple[str, str, int]]
    by_month: list[tuple[str, str, int]]


def _code_rows(list_name: str, counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(slug, codelists.label(list_name, slug), counts[slug]) for slug in codelists.slugs(list_name)
            if counts.get(slug)]


def field_counts(*, start: dt.date, end: dt.date, region_code: str = "", kind: str = "") -> FieldCounts:
    """Field sessions recorded from ``start`` to ``end`` (inclusive, Asia/Jakarta) by kind, kecamatan,
    kelurahan, topic (consultations), sex, age group and month. For the lead agency's staff pages and
    ``stats``: the figures are not suppressed here (small counts must be suppressed by whoever shows
    them outside the lead agency)."""
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = FieldSession.objects.filter(recorded_at__gte=lo, recorded_at__lt=hi)
    if region_code:
        qs = qs.filter(Q(kelurahan__code=region_code) | Q(kelurahan__code__startswith=region_code + "."))
    if kind:
        qs = qs.filter(kind=kind)

    def by(name: str, base: QuerySet[FieldSession] = qs) -> dict[str, int]:
        return {row[name]: row["n"] for row in base.values(name).annotate(n=Count("id")).order_by()}

    kel = by("kelurahan_id")
    kec: Counter[str] = Counter()
    for code, n in kel.items():
        kec[code.rsplit(".", 1)[0]] += n
    names = dict(Region.objects.filter(code__in=set(kel) | set(kec)).values_list("code", "name"))
    months = {row["m"]: row["n"] for row in
              qs.annotate(m=TruncMonth("recorded_at", tzinfo=tz)).values("m").annotate(n=Count("id")).order_by("m")}
    kinds = by("kind")
    return FieldCounts(
        total=sum(kinds.values()),
        by_kind=[(k, str(label), kinds[k]) for k, label in FieldSession.Kind.choices if kinds.get(k)],
        by_kecamatan=[(c, names.get(c, c), n) for c, n in sorted(kec.items())],
        by_kelurahan=[(c, names.get(c, c), n) for c, n in sorted(kel.items())],
        by_topic=_code_rows("counselling_topic", by("topic", qs.filter(kind=FieldSession.Kind.CONSULTATION))),
        by_sex=_code_rows("sex", by("sex")),
        by_age_group=_code_rows("age_group", by("age_group")),
        by_month=[(m.strftime("%Y-%m"), formats.date_format(m, "F Y"), n) for m, n in months.items() if m is not None],
    )
