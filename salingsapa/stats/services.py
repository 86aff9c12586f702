"""Writes for statistics: preparing and approving public snapshots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from salingsapa.core.audit import audit_log
from salingsapa.stats.engine import StatsFilter
from salingsapa.stats.models import PublishedSnapshot
from salingsapa.stats.publication import snapshot_data


def _require_lead_staff(user: Any) -> None:
    if not getattr(user, "is_authenticated", False) or not user.is_lead_agency_staff:
        raise PermissionDenied("Hanya staf UPTD PPA.")


def snapshot_prepare(*, user: Any, start: dt.date, end: dt.date) -> PublishedSnapshot:
    """Compute and store the suppressed aggregates for a period; not public until approved."""
    _require_lead_staff(user)
    from salingsapa.stats.selectors import scope_for

    flt = scope_for(user, StatsFilter(start=start, end=end))
    snapshot = PublishedSnapshot.objects.create(
        period_start=start, period_end=end, label=flt.label(), data=snapshot_data(flt),
        prepared_at=timezone.now(), prepared_by=user,
    )
    audit_log(actor=user, action="create", object_type="stats.snapshot", object_id=snapshot.pk,
              detail={"period": [start.isoformat(), end.isoformat()]})
    return snapshot


def snapshot_approve(*, user: Any, snapshot: PublishedSnapshot) -> PublishedSnapshot:
    """A supervisor of the lead agency publishes a prepared snapshot."""
    if not getattr(user, "is_authenticated", False) or not user.is_supervisor:
        audit_log(actor=user, action="denied", object_type="stats.snapshot", object_id=snapshot.pk,
                  detail={"purpose": "approve"})
        raise PermissionDenied("Hanya supervisor yang dapat menyetujui publikasi.")
    with transaction.atomic():
        locked = PublishedSnapshot.objects.select_for_update().get(pk=snapshot.pk)
        if locked.approved_at is None:
            locked.approved_at = timezone.now()
            locked.approved_by = user
            locked.save(update_fields=["approved_at", "approved_by"])
            audit_log(actor=user, action="update", object_type="stats.snapshot", object_id=locked.pk,
                      detail={"fields": ["approved_at", "approved_by"]})
    return locked


def snapshot_withdraw(*, user: Any, snapshot: PublishedSnapshot) -> PublishedSnapshot:
    """A supervisor takes a published snapshot off the public page."""
    if not getattr(user, "is_authenticated", False) or not user.is_supervisor:
        raise PermissionDenied("Hanya supervisor yang dapat menarik publikasi.")
    PublishedSnapshot.objects.filter(pk=snapshot.pk).update(approved_at=None, approved_by=None)
    audit_log(actor=user, action="update", object_type="stats.snapshot", object_id=snapshot.pk,
              detail={"fields": ["approved_at", "approved_by"], "withdrawn": True})
    snapshot.refresh_from_db()
    return snapshot
