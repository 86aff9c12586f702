"""Writes for statistics: preparing and approving public snapshots."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salingsapa.core.audit import audit_log
from salingsapa.core.dbrouter import replica_reads
from salingsapa.stats import disclosure, rollup
from salingsapa.stats.engine import StatsFilter
from salingsapa.stats.models import PublishedSnapshot
from salingsapa.stats.publication import snapshot_data
from salingsapa.stats.selectors import scope_for


class FourEyes(PermissionDenied):
    """The supervisor who prepared a snapshot cannot approve it."""


class SnapshotRefused(Exception):
    """Approval refused; the message (Bahasa Indonesia) says why."""


class SnapshotChanged(Exception):
    """More cells were hidden to stop differencing: the supervisor reviews the snapshot again."""


def _published_with(snapshot_pk: int | None, organisation_id: int | None) -> list[tuple[int, dict[str, Any]]]:
    """Every snapshot of the office that is or ever was public (a withdrawn one may have been copied)."""
    qs = PublishedSnapshot.objects.filter(first_published_at__isnull=False)
    if organisation_id is not None:
        qs = qs.filter(prepared_by__organisation_id=organisation_id)
    if snapshot_pk is not None:
        qs = qs.exclude(pk=snapshot_pk)
    return [(s.pk, s.data) for s in qs.order_by("pk")]


def _protect(data: dict[str, Any], *, snapshot_pk: int | None, flt: StatsFilter) -> tuple[dict[str, Any], int, list[str]]:
    """Differencing check with every published snapshot; hides more cells where that is enough."""
    published = _published_with(snapshot_pk, flt.organisation_id)
    try:
        data, hidden, leaks = disclosure.protect(data, published, organisation_id=flt.organisation_id,
                                                 report_region=flt.report_region)
    except disclosure.Unverifiable as exc:
        return data, 0, [_("%(space)s: terlalu banyak periode yang tumpang tindih untuk diperiksa") % {
            "space": disclosure.SPACE_TITLES.get(str(exc), str(exc))}]
    return data, hidden, [leak.reason() for leak in leaks]


def _require_lead_staff(user: Any) -> None:
    if not getattr(user, "is_authenticated", False) or not user.is_lead_agency_staff:
        raise PermissionDenied("Hanya staf UPTD PPA.")


def snapshot_prepare(*, user: Any, start: dt.date, end: dt.date) -> PublishedSnapshot:
    """Compute and store the suppressed aggregates for a period; not public until approved."""
    _require_lead_staff(user)
    flt = scope_for(user, StatsFilter(start=start, end=end))
    # the aggregates and the differencing check read from the replica when there is one (the rollups'
    # flush and the snapshot row below are writes: the primary); approval checks again on the primary,
    # inside its transaction, so a snapshot published a moment ago is never missed there
    with replica_reads(), rollup.session():  # the rollups are checked once for the tables and the check
        data, hidden, problems = _protect(snapshot_data(flt), snapshot_pk=None, flt=flt)
    snapshot = PublishedSnapshot.objects.create(
        period_start=start, period_end=end, label=flt.label(), data=data,
        prepared_at=timezone.now(), prepared_by=user, extra_suppressed=hidden,
    )
    snapshot.disclosure_problems = problems  # type: ignore[attr-defined]  # shown once to the preparer
    audit_log(actor=user, action="create", object_type="stats.snapshot", object_id=snapshot.pk,
              detail={"period": [start.isoformat(), end.isoformat()]})
    return snapshot


def snapshot_approve(*, user: Any, snapshot: PublishedSnapshot) -> PublishedSnapshot:
    """A supervisor of the lead agency publishes a snapshot someone else prepared (four eyes).

    Before it goes public it is checked together with every snapshot the office ever published
    (``stats/disclosure.py``): if a count of 1–4 could be worked out by subtracting published
    figures, more cells are hidden and ``SnapshotChanged`` asks for another look; if hiding cells
    of this snapshot cannot stop it, ``SnapshotRefused`` says why and nothing is published.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_supervisor:
        audit_log(actor=user, action="denied", object_type="stats.snapshot", object_id=snapshot.pk,
                  detail={"purpose": "approve"})
        raise PermissionDenied("Hanya supervisor yang dapat menyetujui publikasi.")
    if snapshot.prepared_by_id is not None and snapshot.prepared_by_id == user.pk:
        audit_log(actor=user, action="denied", object_type="stats.snapshot", object_id=snapshot.pk,
                  detail={"purpose": "approve", "reason": "four_eyes"})
        raise FourEyes(_("Snapshot yang Anda siapkan sendiri harus disetujui supervisor lain."))
    with transaction.atomic():
        locked = PublishedSnapshot.objects.select_for_update().get(pk=snapshot.pk)
        if locked.approved_at is not None:
            return locked
        preparer = locked.prepared_by or user
        flt = scope_for(preparer, StatsFilter(start=locked.period_start, end=locked.period_end))
        with rollup.session():
            data, hidden, problems = _protect(locked.data, snapshot_pk=locked.pk, flt=flt)
        if problems:
            audit_log(actor=user, action="denied", object_type="stats.snapshot", object_id=locked.pk,
                      detail={"purpose": "approve", "reason": "differencing"})
            raise SnapshotRefused(
                _("Snapshot tidak dapat dipublikasikan: bersama snapshot yang sudah terbit, angka 1–4 dapat "
                  "dihitung dengan pengurangan.") + " " + "; ".join(problems[:3])
            )
        if hidden:
            locked.data = data
            locked.extra_suppressed += hidden
            locked.save(update_fields=["data", "extra_suppressed"])
            audit_log(actor=user, action="update", object_type="stats.snapshot", object_id=locked.pk,
                      detail={"fields": ["data"], "extra_suppressed": hidden})
            changed = True
        else:
            locked.approved_at = timezone.now()
            locked.approved_by = user
            locked.first_published_at = locked.first_published_at or locked.approved_at
            locked.save(update_fields=["approved_at", "approved_by", "first_published_at"])
            audit_log(actor=user, action="update", object_type="stats.snapshot", object_id=locked.pk,
                      detail={"fields": ["approved_at", "approved_by"]})
            changed = False
    if changed:
        raise SnapshotChanged(
            _("%(n)d sel tambahan disamarkan agar angka kecil tidak dapat dihitung dari snapshot yang sudah "
              "terbit. Periksa tabel lalu setujui lagi.") % {"n": hidden}
        )
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
