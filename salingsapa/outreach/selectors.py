"""Reads of the mobile-counselling schedule.

``visits_upcoming`` is public (the page, the JSON API and the WhatsApp menu use it); everything
else is for signed-in staff and scoped here or in ``outreach.access``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from salingsapa.accounts.models import Role
from salingsapa.accounts.users import signed_in
from salingsapa.outreach.models import Booking, Slot, Visit


def _free_slot_count() -> Any:
    active = Booking.objects.filter(slot=OuterRef("pk"), status=Booking.Status.ACTIVE)
    free = (
        Slot.objects.filter(visit=OuterRef("pk"), starts_at__gt=timezone.now())
        .annotate(taken=Exists(active)).filter(taken=False)
        .order_by().values("visit").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(free, output_field=IntegerField()), Value(0))


def visits_upcoming(*, limit: int | None = None, kelurahan_code: str | None = None) -> QuerySet[Visit]:
    """Published visits from today on (Asia/Jakarta), soonest first, each with ``free_slots``
    (slots not started and not held by an active booking) and ``slot_count``."""
    today = timezone.localdate()
    qs = (
        Visit.objects.filter(status=Visit.Status.PUBLISHED, date__gte=today)
        .select_related("kelurahan__parent")
        .annotate(free_slots=_free_slot_count())
        .order_by("date", "start_time", "id")
    )
    if kelurahan_code:
        qs = qs.filter(kelurahan__code=kelurahan_code)
    if limit is not None:
        qs = qs[:limit]
    return qs


def visit_public(visit_id: int | str) -> Visit | None:
    """One published upcoming visit (with ``free_slots``), else ``None``."""
    try:
        return visits_upcoming().filter(pk=visit_id).first()
    except (ValueError, TypeError):
        return None


def visits_by_kecamatan(visits: QuerySet[Visit] | list[Visit]) -> list[tuple[str, list[Visit]]]:
    """The visits grouped by kecamatan (the kelurahan's parent), kecamatan in name order."""
    groups: dict[str, list[Visit]] = {}
    for visit in visits:
        parent = visit.kelurahan.parent
        groups.setdefault(parent.name if parent else "", []).append(visit)
    return sorted(groups.items(), key=lambda item: item[0])


PLANNER_ROLES = frozenset({Role.CASE_MANAGER, Role.SUPERVISOR})


def can_plan_visits(user: object) -> bool:
    """Case managers and supervisors of the lead agency create, publish and cancel visits."""
    staff = signed_in(user)
    return bool(staff and staff.is_lead_agency_staff and staff.role in PLANNER_ROLES)


def visits_for(user: object) -> QuerySet[Visit]:
    """Visits a signed-in user may see: all for planners; otherwise those they are on the team of."""
    staff = signed_in(user)
    if staff is None:
        return Visit.objects.none()
    qs = Visit.objects.select_related("kelurahan__parent")
    if can_plan_visits(staff):
        return qs
    return qs.filter(Q(team__user=staff) | Q(slots__professional=staff)).distinct()


def rota_for(user: object, *, since: dt.date | None = None) -> QuerySet[Slot]:
    """The user's own slots from ``since`` (default today), with the active booking if any
    (``booking_reference``, ``booking_id``). Names and contacts are never part of this list."""
    staff = signed_in(user)
    if staff is None:
        return Slot.objects.none()
    since = since or timezone.localdate()
    active = Booking.objects.filter(slot=OuterRef("pk"), status=Booking.Status.ACTIVE)
    return (
        Slot.objects.filter(professional=staff, visit__date__gte=since)
        .exclude(visit__status=Visit.Status.CANCELLED)
        .select_related("visit__kelurahan")
        .annotate(booking_reference=Subquery(active.values("reference")[:1]),
                  booking_id=Subquery(active.values("pk")[:1]))
        .order_by("starts_at", "id")
    )


def bookings_for(user: object) -> QuerySet[Booking]:
    """Bookings a user may list: planners see all; a professional, the bookings of their slots;
    other lead-agency staff also the requests for a visit and for a call-back."""
    staff = signed_in(user)
    if staff is None:
        return Booking.objects.none()
    qs = Booking.objects.select_related("slot__visit__kelurahan", "slot__professional", "requested_kelurahan")
    if can_plan_visits(staff):
        return qs
    if staff.is_lead_agency_staff:  # the office calls back and answers requests for a visit
        return qs.filter(Q(slot__professional=staff) | Q(slot__isnull=True))
    return qs.filter(slot__professional=staff)
