"""Reads for statistics. The counting itself lives in ``engine.py``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from salingsapa.stats import engine
from salingsapa.stats.models import PublishedSnapshot


def public_snapshots() -> QuerySet[PublishedSnapshot]:
    """Only approved snapshots are ever public."""
    return PublishedSnapshot.objects.filter(approved_at__isnull=False, approved_by__isnull=False)


def latest_public_snapshot() -> PublishedSnapshot | None:
    return public_snapshots().order_by("-period_end", "-approved_at").first()


def snapshots_for(user: Any) -> QuerySet[PublishedSnapshot]:
    if not getattr(user, "is_authenticated", False) or not user.is_lead_agency_staff:
        return PublishedSnapshot.objects.none()
    return PublishedSnapshot.objects.all()


def can_view_dashboard(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_lead_agency_staff)


def can_export(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_supervisor)


def dashboard_summary(user: Any, flt: engine.StatsFilter) -> engine.Summary:
    """The whole-service figures for the lead agency's staff (aggregates only)."""
    if not can_view_dashboard(user):
        raise PermissionError("not lead-agency staff")
    from dataclasses import replace

    return engine.summary(replace(flt, organisation_id=user.organisation_id))
