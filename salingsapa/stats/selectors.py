"""Reads for statistics. The counting itself lives in ``engine.py``."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.utils import translation

from salingsapa.cases.models import Case
from salingsapa.stats import engine
from salingsapa.stats.models import PublishedSnapshot


def public_snapshots() -> QuerySet[PublishedSnapshot]:
    """Only approved snapshots are ever public."""
    return PublishedSnapshot.objects.filter(approved_at__isnull=False, approved_by__isnull=False)


def latest_public_snapshot() -> PublishedSnapshot | None:
    return public_snapshots().order_by("-period_end", "-approved_at").first()


def public_payload(snapshot: PublishedSnapshot) -> dict[str, Any]:
    """Exactly what the public page shows, as JSON (``GET /api/v1/stats/public`` returns this)."""
    return {"id": snapshot.pk, "approved_at": snapshot.approved_at.isoformat() if snapshot.approved_at else None,
            **snapshot.data}


def snapshots_for(user: Any) -> QuerySet[PublishedSnapshot]:
    if not getattr(user, "is_authenticated", False) or not user.is_lead_agency_staff:
        return PublishedSnapshot.objects.none()
    return PublishedSnapshot.objects.all()


def can_view_dashboard(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_lead_agency_staff)


def can_export(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_supervisor)


def scope_for(user: Any, flt: engine.StatsFilter) -> engine.StatsFilter:
    """The user's office: its cases, and reports from its area (as ``intake.access.reports_for``)."""
    region = user.organisation.region_id or settings.HOME_REGION_CODE
    return replace(flt, organisation_id=user.organisation_id, report_region=region)


GENERATION_KEY = "stats:generation"


def bump_generation(**_: Any) -> None:
    """Cached summaries go stale: the handler of ``Event.COUNTED_DATA_CHANGED`` (``core/events.py``),
    which the services writing reports, cases, people and incidents publish."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def _data_version() -> str:


    # Bulk loads bypass signals; the count and the newest id catch those too.
    agg = Case.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return f"{cache.get(GENERATION_KEY, 0)}:{agg['n']}:{agg['last']}"


def dashboard_summary(user: Any, flt: engine.StatsFilter) -> engine.Summary:
    """The whole-service figures for the lead agency's staff (aggregates only), cached briefly.

    The cache key holds the filter, the office and a data version, so any write through the ORM shows
    at once; ``STATS_CACHE_SECONDS`` (default 300) bounds staleness after raw bulk changes.
    """
    if not can_view_dashboard(user):
        raise PermissionError("not lead-agency staff")
    scoped = scope_for(user, flt)
    seconds = int(getattr(settings, "STATS_CACHE_SECONDS", 300))
    if seconds <= 0:
        return engine.summary(scoped)
    raw = f"{scoped!r}|{_data_version()}|{translation.get_language()}"
    key = "stats:summary:" + hashlib.sha256(raw.encode()).hexdigest()
    hit = cache.get(key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    result = engine.summary(scoped)
    cache.set(key, result, seconds)
    return result
